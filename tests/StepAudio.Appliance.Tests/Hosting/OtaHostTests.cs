using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Hosting;
using StepAudio.Appliance.Ota;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.Appliance.Tests.Ota;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Ops.Ota;
using StepAudio.StandInServer;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Broker;
using Xunit.Abstractions;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Appliance.Tests.Hosting;

/// <summary>
/// The whole service with the update agent on: a real Mosquitto, the stand-in GPU server, a
/// bundle served over HTTP, a stand-in rauc with two slots, and two boots of the service (the
/// reboot flips the booted slot and the boot id). The fleet's job goes to Committed through the
/// acoustic health check, and the reboot waits for the turn in progress.
/// </summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class OtaHostTests : IAsyncLifetime
{
    private const string Device = "device-a";
    private static readonly string Base = $"stepaudio/{MosquittoBroker.Fleet}/{Device}";
    private readonly ContractModelsFixture _contract;
    private readonly ITestOutputHelper _output;
    private MosquittoBroker _broker = null!;
    private DeviceHostRig _rig = null!;
    private FleetObserver _fleet = null!;
    private FakeRauc _rauc = null!;

    public OtaHostTests(ModelsFixture models, ContractModelsFixture contract, ITestOutputHelper output)
    {
        _ = models;
        _contract = contract;
        _output = output;
    }

    public async Task InitializeAsync()
    {
        _broker = new MosquittoBroker();
        _rig = await DeviceHostRig.StartAsync(_contract, "ota-host");
        HealthClips.Write(Path.Combine(_rig.Directory, "image"), HealthClips.WakeAndQuestion());
        _rauc = new FakeRauc(Path.Combine(_rig.Directory, "rauc"), "1.0.0");
        _fleet = await FleetObserver.ConnectAsync(_broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [$"{Base}/#"]);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _rig.DisposeAsync();
        _broker.Dispose();
    }

    [Fact]
    public async Task Job_WhileATurnIsInProgress_InstallsWaitsForTheTurnRebootsAndCommitsAfterTheHealthCheck()
    {
        var (size, sha) = FakeRauc.WriteBundle(Path.Combine(_rig.Directory, "update.raucb"), "1.1.0");
        using var files = new FixedHttpServer(File.ReadAllBytes(Path.Combine(_rig.Directory, "update.raucb")));
        var job = new OtaJob("job-ota-1", "1.1.0", new Uri(files.BaseAddress, "update.raucb"), size, sha, FakeRauc.Compatible, DateTimeOffset.UtcNow.AddHours(1));
        var boot = new SettableBootIdentity("boot-1");

        // First boot: someone is talking to the speaker when the job arrives.
        using var microphone = new FakeAudioCapture(SpeechClips.Concat(HealthClips.WakeAndQuestion(), SpeechClips.Silence(120_000)));
        var speaker = new GatedAudioOutput();
        var wake = new CollectingEventSink(PipelineEventTypes.Wake);
        RecordingReboot reboot = null!;
        IHost first = null!;
        reboot = new RecordingReboot(() => first.Services.GetRequiredService<IDeviceActivity>(), () => speaker.Released, _rauc.Reboot);
        first = Build(microphone, speaker, wake, boot, reboot);
        await first.StartAsync();
        await _fleet.WaitForAsync(m => m.Topic == $"{Base}/state" && m.Text == "online", what: "the device online");
        await wake.Signalled.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var clock = Stopwatch.StartNew();
        await _fleet.PublishAsync($"{Base}/ota/job", OtaJobJson.Serialize(job));
        await _fleet.WaitForAsync(m => IsStatus(m, "AwaitingReboot"), TimeSpan.FromSeconds(60), "the AwaitingReboot status");
        var busyWhileWaiting = first.Services.GetRequiredService<IDeviceActivity>().TurnInProgress;
        var requestsWhileBusy = reboot.Requests.Count;
        speaker.Release();
        var request = await reboot.First.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await first.StopAsync();
        first.Dispose();

        // Second boot: the bootloader started the new slot; the agent checks health and commits.
        boot.CurrentBootId = "boot-2";
        using var quietRoom = new FakeAudioCapture(SpeechClips.Silence(1000));
        using (var second = Build(quietRoom, new RecordingAudioOutput(22050), new CollectingEventSink(), boot, reboot))
        {
            await second.StartAsync();
            await _fleet.WaitForAsync(m => IsStatus(m, "Committed"), TimeSpan.FromSeconds(120), "the Committed status");
            clock.Stop();
            var outcome = await _fleet.WaitForAsync(IsOutcome, what: "the outcome event");
            await second.StopAsync();
            using var document = JsonDocument.Parse(outcome.Payload);
            Assert.Equal("Committed", document.RootElement.GetProperty("data").GetProperty("outcome").GetString());
            Assert.Equal("rootfs.1", document.RootElement.GetProperty("data").GetProperty("runningSlot").GetString());
        }

        _output.WriteLine($"OTA job to committed through the service (stand-in rauc, two service starts, acoustic health check): {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(busyWhileWaiting, "the turn was over before the agent waited for it");
        Assert.Equal(0, requestsWhileBusy);
        Assert.Single(reboot.Requests);
        Assert.False(request.TurnInProgress);
        Assert.False(request.AudioPlaying);
        Assert.True(request.ReplyReleased);
        Assert.Equal("B", _rauc.Booted);
        Assert.Equal(
            ["Downloading", "Verifying", "Installing", "AwaitingReboot", "Rebooted", "HealthCheck", "Committed"],
            States().Distinct());
        var committed = States(m => IsStatus(m, "Committed")).Count;
        Assert.Equal(2, committed); // The step itself, then the final report.
        Assert.Contains(_rauc.Calls, c => c.EndsWith("status mark-good booted", StringComparison.Ordinal));
        Assert.Contains(_rauc.Calls, c => c.Contains("install " + Path.Combine(_rig.Directory, "state", "ota", "download"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Job_WhenTheHealthCheckFailsAfterTheReboot_MarksTheNewSlotBadBootsBackAndReportsRolledBack()
    {
        var (size, sha) = FakeRauc.WriteBundle(Path.Combine(_rig.Directory, "update.raucb"), "1.1.0");
        using var files = new FixedHttpServer(File.ReadAllBytes(Path.Combine(_rig.Directory, "update.raucb")));
        var job = new OtaJob("job-ota-2", "1.1.0", new Uri(files.BaseAddress, "update.raucb"), size, sha, FakeRauc.Compatible, DateTimeOffset.UtcNow.AddHours(1));
        var boot = new SettableBootIdentity("boot-1");
        using var room = new FakeAudioCapture(SpeechClips.Silence(1000));
        IHost? host = null;
        var reboot = new RecordingReboot(() => host!.Services.GetRequiredService<IDeviceActivity>(), () => true, _rauc.Reboot);

        // Boot 1 installs and reboots; boot 2 runs an image whose health clip is gone; boot 3 is the old slot again.
        var noManifest = Path.Combine(_rig.Directory, "image", "missing.json");
        foreach (var (bootId, manifest) in new[] { ("boot-1", (string?)null), ("boot-2", noManifest), ("boot-3", null) })
        {
            boot.CurrentBootId = bootId;
            var requests = reboot.Requests.Count;
            using (host = Build(room, new RecordingAudioOutput(22050), new CollectingEventSink(), boot, reboot, manifest))
            {
                await host.StartAsync();
                if (bootId == "boot-1")
                {
                    await _fleet.WaitForAsync(m => m.Topic == $"{Base}/state" && m.Text == "online", what: "the device online");
                    await _fleet.PublishAsync($"{Base}/ota/job", OtaJobJson.Serialize(job));
                }

                if (bootId == "boot-3")
                {
                    // The outcome goes out once the device is back on the old slot.
                    await _fleet.WaitForAsync(IsOutcome, TimeSpan.FromSeconds(60), "the outcome event");
                }
                else
                {
                    await reboot.WaitForCountAsync(requests + 1, TimeSpan.FromSeconds(60));
                }

                await host.StopAsync();
            }
        }

        var outcome = await _fleet.WaitForAsync(IsOutcome, what: "the outcome event");
        using var document = JsonDocument.Parse(outcome.Payload);
        var data = document.RootElement.GetProperty("data");
        Assert.Equal(("RolledBack", "HealthCheckFailed", "rootfs.0"), (data.GetProperty("outcome").GetString(), data.GetProperty("reason").GetString(), data.GetProperty("runningSlot").GetString()));
        Assert.Contains($"health manifest {noManifest} is missing", data.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("A", _rauc.Booted);
        Assert.Equal(2, reboot.Requests.Count);
        Assert.Contains(_rauc.Calls, c => c.EndsWith("status mark-bad booted", StringComparison.Ordinal));
    }

    private static bool IsOutcome(Received message) =>
        message.Topic == $"{Base}/events" && message.Text.Contains(FleetOtaChannel.OutcomeEventType, StringComparison.Ordinal);

    private static bool IsStatus(Received message, string state)
    {
        if (message.Topic != $"{Base}/ota/status")
        {
            return false;
        }

        using var document = JsonDocument.Parse(message.Payload);
        return document.RootElement.TryGetProperty("state", out var s) && s.GetString() == state;
    }

    private List<string> States(Func<Received, bool>? filter = null)
    {
        var states = new List<string>();
        foreach (var message in _fleet.Received)
        {
            if (message.Topic == $"{Base}/ota/status" && (filter is null || filter(message)))
            {
                using var document = JsonDocument.Parse(message.Payload);
                states.Add(document.RootElement.GetProperty("state").GetString()!);
            }
        }

        return states;
    }

    private IHost Build(IAudioCapture capture, IAudioOutput output, IPipelineEventSink events, SettableBootIdentity boot, RecordingReboot reboot, string? manifest = null) =>
        _rig.Build(
            capture,
            output,
            new Dictionary<string, string?>(_rig.Settings)
            {
                ["Hosting:Fleet"] = "true",
                ["Hosting:StateDirectory"] = Path.Combine(_rig.Directory, "state"),
                ["Hosting:CaptureStartTimeoutMs"] = "10000",
                ["Fleet:BrokerHost"] = "127.0.0.1",
                ["Fleet:BrokerPort"] = _broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Fleet:Fleet"] = MosquittoBroker.Fleet,
                ["Fleet:DeviceId"] = Device,
                ["Fleet:Username"] = Device,
                ["Fleet:Password"] = MosquittoBroker.PasswordOf(Device),
                ["Fleet:BackoffMin"] = "00:00:00.050",
                ["Fleet:BackoffMax"] = "00:00:00.200",
                ["Ota:Enabled"] = "true",
                ["Ota:Rauc:Executable"] = _rauc.Executable,
                ["Ota:Rauc:ConfigPath"] = _rauc.ConfigPath,
                ["Ota:HealthManifest"] = manifest ?? Path.Combine(_rig.Directory, "image", "health-clip.json"),
                ["Ota:IdlePollInterval"] = "00:00:00.020",
                ["Ota:ProgressInterval"] = "00:00:00",
                ["Ota:FreeSpaceMarginBytes"] = "1024",
            },
            services =>
            {
                services.AddSingleton(events);
                services.AddSingleton<IBootIdentity>(boot);
                services.AddSingleton<ISystemReboot>(reboot);
            });
}
