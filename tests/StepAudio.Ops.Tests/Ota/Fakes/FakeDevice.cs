using StepAudio.Ops.Ota;

namespace StepAudio.Ops.Tests.Ota.Fakes;

/// <summary>Turn and playback flags the test flips; counts how often the agent looked.</summary>
internal sealed class FakeDeviceActivity : IDeviceActivity
{
    private int _busyLooks;

    /// <summary>The device reports busy for this many looks, then idle.</summary>
    public int BusyLooks { get => _busyLooks; set => _busyLooks = value; }

    public int Looks { get; private set; }

    public bool TurnInProgress
    {
        get
        {
            Looks++;
            return Interlocked.Decrement(ref _busyLooks) >= 0;
        }
    }

    public bool AudioPlaying => false;
}

/// <summary>A health probe with a scripted answer.</summary>
internal sealed class FakeHealthProbe(params HealthCheckResult[] checks) : IHealthProbe
{
    public int Runs { get; private set; }

    public Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        Runs++;
        return Task.FromResult(new HealthReport(checks));
    }
}

/// <summary>Records reboot requests; the test then power-cycles the simulated device.</summary>
internal sealed class RecordingReboot : ISystemReboot
{
    public List<string> Requests { get; } = [];

    public Task RequestRebootAsync(string reason, CancellationToken cancellationToken)
    {
        Requests.Add(reason);
        return Task.CompletedTask;
    }
}

/// <summary>The boot id of the simulated device.</summary>
internal sealed class DeviceBootIdentity(Func<string> current) : IBootIdentity
{
    public string CurrentBootId => current();
}
