using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Ota.Download;
using StepAudio.Ops.Ota.Rauc;
using StepAudio.Ops.Ota.State;
using StepAudio.Ops.Tests.Ota.Fakes;

namespace StepAudio.Ops.Tests.Ota.Rig;

/// <summary>An agent wired to a simulated device: real rauc, real HTTP, fake activity, health and reboot.</summary>
internal sealed class AgentHarness : IDisposable
{
    private readonly HttpClient _http = new();

    public AgentHarness(SimulatedDevice device, params HealthCheckResult[] health)
    {
        Device = device;
        Health = new FakeHealthProbe(health.Length > 0 ? health : [new HealthCheckResult("wake-clip", HealthVerdict.Passed, "hey jarvis -> wake, 42 tokens")]);
        Options = new OtaAgentOptions
        {
            StateDirectory = Path.Combine(device.Root, "state"),
            DownloadDirectory = Path.Combine(device.Root, "state", "download"),
            InstalledVersion = SimulatedDevice.FactoryVersion,
            IdlePollInterval = TimeSpan.FromMilliseconds(5),
            DownloadRetryDelay = TimeSpan.FromMilliseconds(10),
            ProgressInterval = TimeSpan.Zero,
            FreeSpaceMarginBytes = 1024 * 1024,
        };
        Rauc = new RaucCli(Microsoft.Extensions.Options.Options.Create(device.RaucOptions()), NullLogger<RaucCli>.Instance);
    }

    public SimulatedDevice Device { get; }

    public InMemoryOtaChannel Channel { get; } = new();

    public FakeDeviceActivity Activity { get; } = new();

    public FakeHealthProbe Health { get; set; }

    public RecordingReboot Reboot { get; } = new();

    public OtaAgentOptions Options { get; }

    public RaucCli Rauc { get; }

    public OtaStateStore Store => new(Options.StateDirectory, NullLogger<OtaStateStore>.Instance);

    /// <summary>A fresh agent, as after a process start.</summary>
    public OtaAgent NewAgent()
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        var downloader = new BundleDownloader(_http, options, TimeProvider.System, NullLogger<BundleDownloader>.Instance);
        return new OtaAgent(Channel, new OtaSlots(Rauc, Reboot, new DeviceBootIdentity(() => Device.BootId)), downloader, Store, new OtaDevice(Activity, Health), options, TimeProvider.System, NullLogger<OtaAgent>.Instance);
    }

    public static OtaJob Job(BuiltBundle bundle, Uri url, string? version = null, string? compatible = null, DateTimeOffset? deadline = null, bool downgrade = false, string? sha = null) =>
        new("job-" + Guid.NewGuid().ToString("N")[..8], version ?? bundle.Version, url, bundle.Size, sha ?? bundle.Sha256,
            compatible ?? SimulatedDevice.Compatible, deadline ?? DateTimeOffset.UtcNow.AddHours(1))
        {
            Downgrade = downgrade,
        };

    public void Dispose() => _http.Dispose();
}
