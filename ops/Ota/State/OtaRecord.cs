namespace StepAudio.Ops.Ota.State;

/// <summary>Everything the agent must remember across a kill or a power cut. Written whole, atomically, after every step.</summary>
public sealed record OtaRecord
{
    /// <summary>The step the update is in.</summary>
    public OtaState State { get; init; } = OtaState.Idle;

    /// <summary>The job being carried out (kept after the end for reporting).</summary>
    public OtaJob? Job { get; init; }

    /// <summary>The slot that was running when the install began (the one to fall back to).</summary>
    public string? PreviousSlot { get; init; }

    /// <summary>The slot RAUC installed into.</summary>
    public string? TargetSlot { get; init; }

    /// <summary>The boot id when the update reboot was asked for (or the rollback reboot).</summary>
    public string? RebootRequestedInBoot { get; init; }

    /// <summary>The boot id in which the agent last looked at the new slot.</summary>
    public string? SeenInBoot { get; init; }

    /// <summary>The boot id in which the booted slot was last marked good.</summary>
    public string? MarkedGoodInBoot { get; init; }

    /// <summary>Boots of the new slot so far.</summary>
    public int BootAttempts { get; init; }

    /// <summary><c>rauc install</c> runs so far.</summary>
    public int InstallAttempts { get; init; }

    /// <summary>Downloads restarted from zero after a hash mismatch.</summary>
    public int DownloadRestarts { get; init; }

    /// <summary>A rollback reboot is still owed.</summary>
    public bool RebootPending { get; init; }

    /// <summary>Why it ended the way it did.</summary>
    public OtaReason Reason { get; init; }

    /// <summary>A sentence for people.</summary>
    public string? Message { get; init; }

    /// <summary>The final outcome reached the channel.</summary>
    public bool OutcomeReported { get; init; }

    /// <summary>When this record was written.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>True when no work is left: idle, or an outcome with no reboot owed.</summary>
    public bool IsSettled => State is OtaState.Idle or OtaState.Committed or OtaState.Failed
        || (State == OtaState.RolledBack && !RebootPending);
}
