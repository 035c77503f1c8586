using StepAudio.Ops.Ota.Rauc;

namespace StepAudio.Ops.Ota;

/// <summary>
/// The agent's view of the fleet link: jobs in (<c>ota/job</c>), status and outcome out
/// (<c>ota/status</c>, <c>events</c>). The MQTT link adapts to it; tests use an in-memory one.
/// </summary>
public interface IOtaChannel
{
    /// <summary>Jobs as they arrive; ends when the link is shut down.</summary>
    IAsyncEnumerable<OtaJob> ReadJobsAsync(CancellationToken cancellationToken);

    /// <summary>Publishes one status. The agent logs and carries on when this throws.</summary>
    Task PublishStatusAsync(OtaStatus status, CancellationToken cancellationToken);

    /// <summary>Publishes the final outcome as a device event.</summary>
    Task PublishOutcomeAsync(OtaOutcomeEvent outcome, CancellationToken cancellationToken);
}

/// <summary>What the appliance is doing, so a reboot never cuts a conversation short.</summary>
public interface IDeviceActivity
{
    /// <summary>A turn is between wake word and the end of its reply.</summary>
    bool TurnInProgress { get; }

    /// <summary>Sound is playing.</summary>
    bool AudioPlaying { get; }
}

/// <summary>Restarts the machine (systemd in production).</summary>
public interface ISystemReboot
{
    /// <summary>Asks for a reboot; returns once it is under way.</summary>
    Task RequestRebootAsync(string reason, CancellationToken cancellationToken);
}

/// <summary>Identifies the current boot, so the agent can tell "not rebooted yet" from "came back".</summary>
public interface IBootIdentity
{
    /// <summary>An id that changes on every boot.</summary>
    string CurrentBootId { get; }
}

/// <summary>The kernel's per-boot random id.</summary>
public sealed class KernelBootIdentity : IBootIdentity
{
    private readonly Lazy<string> _id = new(() => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim());

    /// <inheritdoc />
    public string CurrentBootId => _id.Value;
}

/// <summary>What the agent drives to change the running image: RAUC's slots, the reboot into one, and which boot this is.</summary>
/// <param name="Rauc">Installs into the other slot and marks slots good or bad.</param>
/// <param name="Reboot">Restarts the box into the slot RAUC chose.</param>
/// <param name="Boot">Tells one boot from the next, so the agent knows a reboot happened.</param>
public sealed record OtaSlots(IRaucClient Rauc, ISystemReboot Reboot, IBootIdentity Boot);

/// <summary>What the agent asks of the device it updates: whether it is busy with a user, and whether it is healthy after an update.</summary>
/// <param name="Activity">A turn in progress or audio playing holds the reboot back.</param>
/// <param name="Health">The check after the reboot that decides between keeping the slot and rolling back.</param>
public sealed record OtaDevice(IDeviceActivity Activity, IHealthProbe Health);
