namespace StepAudio.Ops.Ota;

/// <summary>Where an update stands. Persisted after every step; see <see cref="OtaAgent"/> for the transitions.</summary>
public enum OtaState
{
    /// <summary>No update in progress.</summary>
    Idle,

    /// <summary>Fetching the bundle (resumable).</summary>
    Downloading,

    /// <summary>RAUC checks the bundle's signature; the agent checks its compatible string and version.</summary>
    Verifying,

    /// <summary>RAUC writes the other slot and makes it the primary boot slot.</summary>
    Installing,

    /// <summary>Installed; waiting for an idle moment inside the job's window to reboot.</summary>
    AwaitingReboot,

    /// <summary>The device came back from the update's reboot.</summary>
    Rebooted,

    /// <summary>The new slot runs; the acoustic health check decides its fate.</summary>
    HealthCheck,

    /// <summary>Terminal: the new slot is marked good.</summary>
    Committed,

    /// <summary>Terminal (once <see cref="OtaRecord.RebootPending"/> is clear): the device runs the previous slot again.</summary>
    RolledBack,

    /// <summary>Terminal: the update stopped before it replaced the running system; nothing changed.</summary>
    Failed,
}

/// <summary>Why a job was rejected or an update ended the way it did.</summary>
public enum OtaReason
{
    /// <summary>Nothing went wrong.</summary>
    None,

    /// <summary>The job names the version the booted slot already runs.</summary>
    AlreadyInstalled,

    /// <summary>The job names an older version without both the job's <c>downgrade</c> and the device's <c>Ota:AllowDowngrade</c>.</summary>
    OlderVersion,

    /// <summary>The job's compatible string is not this system's.</summary>
    IncompatibleJob,

    /// <summary>Another job is in progress.</summary>
    Busy,

    /// <summary>The job's deadline had passed when it arrived.</summary>
    DeadlinePassed,

    /// <summary>The download directory lacks room for the bundle.</summary>
    InsufficientSpace,

    /// <summary>The bundle could not be fetched.</summary>
    DownloadFailed,

    /// <summary>The downloaded bytes do not have the job's sha256 or size.</summary>
    HashMismatch,

    /// <summary>RAUC refused the bundle (signature, format or keyring).</summary>
    BundleRejected,

    /// <summary>The bundle's manifest names another compatible string.</summary>
    BundleIncompatible,

    /// <summary>The bundle's manifest names another version than the job.</summary>
    BundleVersionMismatch,

    /// <summary><c>rauc install</c> failed.</summary>
    InstallFailed,

    /// <summary>The device was never idle inside the job's window.</summary>
    RebootWindowMissed,

    /// <summary>The acoustic health check failed on the new slot.</summary>
    HealthCheckFailed,

    /// <summary>The new slot did not reach a passing health check within the allowed boots.</summary>
    BootAttemptsExhausted,

    /// <summary>The bootloader started the previous slot instead of the new one.</summary>
    NewSlotDidNotBoot,

    /// <summary>Going back to the previous slot did not take effect.</summary>
    RollbackFailed,
}
