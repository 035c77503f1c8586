namespace StepAudio.Ops.Ota;

/// <summary>An update job as the fleet publishes it on <c>ota/job</c>.</summary>
/// <param name="JobId">The fleet's id for this job; echoed in every status.</param>
/// <param name="Version">The bundle's version (its manifest must say the same).</param>
/// <param name="Url">Where to fetch the bundle (http or https).</param>
/// <param name="Size">The bundle's size in bytes.</param>
/// <param name="Sha256">The bundle's sha256, 64 lowercase hex digits.</param>
/// <param name="Compatible">The RAUC compatible string the bundle targets.</param>
/// <param name="Deadline">The end of the window: no reboot into the update after it.</param>
public sealed record OtaJob(
    string JobId,
    string Version,
    Uri Url,
    long Size,
    string Sha256,
    string Compatible,
    DateTimeOffset Deadline)
{
    /// <summary>The start of the reboot window; null reboots as soon as the device is idle.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Allows a version older than the installed one.</summary>
    public bool Downgrade { get; init; }
}
