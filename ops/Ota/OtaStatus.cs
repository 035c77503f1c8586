namespace StepAudio.Ops.Ota;

/// <summary>One progress or result report on <c>ota/status</c>.</summary>
/// <param name="JobId">The job it is about (null when a job without a usable id is rejected).</param>
/// <param name="Version">The job's version.</param>
/// <param name="State">The agent's state after this step.</param>
/// <param name="Reason">Why it was rejected or ended this way; <see cref="OtaReason.None"/> on success and progress.</param>
/// <param name="Message">A sentence for people.</param>
/// <param name="BytesDone">Bytes of the bundle on the device.</param>
/// <param name="BytesTotal">The bundle's size.</param>
/// <param name="At">When the step happened.</param>
public sealed record OtaStatus(
    string? JobId,
    string? Version,
    OtaState State,
    OtaReason Reason,
    string Message,
    long BytesDone,
    long BytesTotal,
    DateTimeOffset At)
{
    /// <summary>True when the job was refused without starting.</summary>
    public bool Rejected { get; init; }

    /// <summary>Download progress in percent (0 when the size is unknown).</summary>
    public int Percent => BytesTotal > 0 ? (int)Math.Min(100, BytesDone * 100 / BytesTotal) : 0;

    /// <summary>True for a final outcome: committed, rolled back, failed or rejected.</summary>
    public bool IsFinal => Rejected || State is OtaState.Committed or OtaState.RolledBack or OtaState.Failed;
}

/// <summary>The outcome of an update, published once as a device event (the <c>events</c> topic).</summary>
/// <param name="JobId">The job.</param>
/// <param name="Version">The version it tried to install.</param>
/// <param name="Outcome">Committed, RolledBack or Failed.</param>
/// <param name="Reason">Why, when not committed.</param>
/// <param name="Message">A sentence for people.</param>
/// <param name="RunningSlot">The RAUC slot the device runs now.</param>
/// <param name="At">When the outcome was reached.</param>
public sealed record OtaOutcomeEvent(string JobId, string Version, OtaState Outcome, OtaReason Reason, string Message, string? RunningSlot, DateTimeOffset At);
