namespace StepAudio.Appliance.Audio;

/// <summary>Why a sound device is not delivering: it failed and the service is trying to reopen it.</summary>
/// <param name="Device">The device name.</param>
/// <param name="Message">What went wrong, in words.</param>
/// <param name="ErrorCode">The negative errno-style code, or 0.</param>
/// <param name="Since">When the device first failed in this run of failures.</param>
/// <param name="Attempts">Failed open attempts since then.</param>
/// <param name="NextAttemptIn">The backoff before the next attempt.</param>
public sealed record AudioDeviceFault(
    string Device, string Message, int ErrorCode, DateTimeOffset Since, int Attempts, TimeSpan NextAttemptIn);

/// <summary>Raised when a device fails (with the fault) and when it recovers (with <see cref="Fault"/> null).</summary>
public sealed class AudioDeviceFaultEventArgs(AudioDeviceFault? fault) : EventArgs
{
    /// <summary>The current fault, or null when the device works again.</summary>
    public AudioDeviceFault? Fault { get; } = fault;
}
