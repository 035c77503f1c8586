using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Appliance.Composition;
using StepAudio.Appliance.Hosting;
using StepAudio.Appliance.Ota;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.Engine.Link;
using StepAudio.Engine.Tokenizer;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Ota.State;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Ota;

/// <summary>The post-update health check on the real public models and the contract tokenizer.</summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class AcousticHealthProbeTests : IDisposable
{
    private static readonly OtaJob Job = new("job-7", "1.1.0", new Uri("http://127.0.0.1/b.raucb"), 10, new string('c', 64), "stepaudio-edge", DateTimeOffset.UtcNow.AddHours(1));
    private readonly ContractModelsFixture _contract;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-health-{Guid.NewGuid():N}");
    private readonly FixedHttpServer _server = new(Encoding.UTF8.GetBytes("ok"));
    private readonly OtaStateStore _store;

    public AcousticHealthProbeTests(ModelsFixture models, ContractModelsFixture contract)
    {
        _ = models;
        _contract = contract;
        _store = new OtaStateStore(Path.Combine(_dir, "ota"), NullLogger<OtaStateStore>.Instance);
        _store.Save(new OtaRecord { State = OtaState.HealthCheck, Job = Job });
    }

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task CheckAsync_WhenTheImageClipWakesAndTokenizes_PassesEveryCheck()
    {
        var manifest = HealthClips.Write(Path.Combine(_dir, "image"), HealthClips.WakeAndQuestion());

        var report = await Probe(manifest).CheckAsync(CancellationToken.None);

        Assert.True(report.UpdateIsHealthy, report.Summary());
        Assert.Equal(["ready", "wake-clip", "broker", "gpu-server"], report.Checks.Select(c => c.Name));
        Assert.Contains("hey_jarvis", Check(report, "wake-clip").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_OnTheClipAndManifestDeployShPutsInTheImage_Passes()
    {
        var manifest = HealthClips.WriteAsTheImageDoes(Path.Combine(_dir, "usr", "share", "stepaudio-edge", "health"));

        var report = await Probe(manifest).CheckAsync(CancellationToken.None);

        Assert.True(report.UpdateIsHealthy, report.Summary());
        Assert.Equal(HealthVerdict.Passed, Check(report, "wake-clip").Verdict);
    }

    [Fact]
    public async Task CheckAsync_WhenTheManifestPinsThisBuildsTokens_PassesAndFailsOnceOneTokenDiffers()
    {
        var clip = HealthClips.WakeAndQuestion();
        HealthClips.Write(Path.Combine(_dir, "probe"), clip);
        var seen = await new HealthClipRunner(Settings(), NullLoggerFactory.Instance).RunAsync(Path.Combine(_dir, "probe", "health-clip.wav"), CancellationToken.None);
        Assert.NotNull(seen.Tokens);
        var pinned = HealthClips.Write(Path.Combine(_dir, "pinned"), clip, tokens: seen.Tokens);
        var first = seen.Tokens!.IndexOf('>', StringComparison.Ordinal) + 1;
        var changedTokens = seen.Tokens.StartsWith("<audio_1", StringComparison.Ordinal)
            ? "<audio_2>" + seen.Tokens[first..]
            : "<audio_1>" + seen.Tokens[first..];
        var changed = HealthClips.Write(Path.Combine(_dir, "changed"), clip, tokens: changedTokens);

        var same = await Probe(pinned).CheckAsync(CancellationToken.None);
        var different = await Probe(changed).CheckAsync(CancellationToken.None);

        Assert.Equal(HealthVerdict.Passed, Check(same, "wake-clip").Verdict);
        Assert.Contains("tokens exactly as the manifest", Check(same, "wake-clip").Detail, StringComparison.Ordinal);
        Assert.Equal(HealthVerdict.Failed, Check(different, "wake-clip").Verdict);
        Assert.Contains("the token string differs from the manifest's at character 7", Check(different, "wake-clip").Detail, StringComparison.Ordinal);
        Assert.False(different.UpdateIsHealthy);
    }

    [Fact]
    public async Task CheckAsync_WhenTheClipHasNoWakeWord_FailsSayingNoneWasDetected()
    {
        var manifest = HealthClips.Write(Path.Combine(_dir, "image"), HealthClips.QuestionOnly());

        var report = await Probe(manifest).CheckAsync(CancellationToken.None);

        var clip = Check(report, "wake-clip");
        Assert.Equal(HealthVerdict.Failed, clip.Verdict);
        Assert.Contains("no wake word was detected (expected hey_jarvis)", clip.Detail, StringComparison.Ordinal);
        Assert.False(report.UpdateIsHealthy);
    }

    [Fact]
    public async Task CheckAsync_WhenTheManifestIsMissing_FailsNamingTheFile()
    {
        var missing = Path.Combine(_dir, "image", "health-clip.json");

        var report = await Probe(missing).CheckAsync(CancellationToken.None);

        var clip = Check(report, "wake-clip");
        Assert.Equal(HealthVerdict.Failed, clip.Verdict);
        Assert.Contains($"health manifest {missing} is missing", clip.Detail, StringComparison.Ordinal);
        Assert.False(report.UpdateIsHealthy);
    }

    [Fact]
    public async Task CheckAsync_WhenTheManifestLacksTheTokenRange_FailsNamingTheField()
    {
        var manifest = HealthClips.Write(Path.Combine(_dir, "image"), HealthClips.WakeAndQuestion());
        File.WriteAllText(manifest, """{"clip": "health-clip.wav", "keyword": "hey_jarvis"}""");

        var report = await Probe(manifest).CheckAsync(CancellationToken.None);

        Assert.Equal(HealthVerdict.Failed, Check(report, "wake-clip").Verdict);
        Assert.Contains("field 'tokenGroups' is required", Check(report, "wake-clip").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_WhenTheServerAnswers5xx_CountsItAsNotTheUpdatesFault()
    {
        using var failing = new FixedHttpServer(Encoding.UTF8.GetBytes("overloaded"), status: 503);

        var report = await Probe(Path.Combine(_dir, "none.json"), server: failing.BaseAddress).CheckAsync(CancellationToken.None);

        var server = Check(report, "gpu-server");
        Assert.Equal(HealthVerdict.FailedNotUpdateFault, server.Verdict);
        Assert.Contains("503", server.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_WhenBrokerAndServerWereAlreadyDownWhenTheJobCame_ExcusesThemAndOtherwiseBlamesTheUpdate()
    {
        var nobody = new Uri($"http://127.0.0.1:{UnusedPort()}/");
        var withoutBaseline = await Probe(Path.Combine(_dir, "none.json"), broker: FleetConnectionState.Disconnected, server: nobody).CheckAsync(CancellationToken.None);
        new UpdateBaseline(Job.JobId, BrokerConnected: false, ServerAnswer.Unreachable, "connection refused", DateTimeOffset.UtcNow).Save(Path.Combine(_dir, "ota"));

        var withBaseline = await Probe(Path.Combine(_dir, "none.json"), broker: FleetConnectionState.Disconnected, server: nobody).CheckAsync(CancellationToken.None);

        Assert.Equal(HealthVerdict.Failed, Check(withoutBaseline, "broker").Verdict);
        Assert.Equal(HealthVerdict.Failed, Check(withoutBaseline, "gpu-server").Verdict);
        Assert.Contains("no baseline was recorded", Check(withoutBaseline, "gpu-server").Detail, StringComparison.Ordinal);
        Assert.Equal(HealthVerdict.FailedNotUpdateFault, Check(withBaseline, "broker").Verdict);
        Assert.Equal(HealthVerdict.FailedNotUpdateFault, Check(withBaseline, "gpu-server").Verdict);
        Assert.Contains("already out of reach when job job-7 was taken", Check(withBaseline, "gpu-server").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_WhenNoAudioFramesFlow_FailsReady()
    {
        var report = await Probe(Path.Combine(_dir, "none.json"), heartbeat: new AdvancingHeartbeat(flowing: false)).CheckAsync(CancellationToken.None);

        Assert.Equal(HealthVerdict.Failed, Check(report, "ready").Verdict);
        Assert.Contains("audio frames did not flow", Check(report, "ready").Detail, StringComparison.Ordinal);
    }

    private static HealthCheckResult Check(HealthReport report, string name) => report.Checks.Single(c => c.Name == name);

    private ApplianceSettings Settings() => new() { Tokenizer = new TokenizerOptions { ModelDirectory = _contract.Directory } };

    private AcousticHealthProbe Probe(string manifest, IAudioHeartbeat? heartbeat = null, FleetConnectionState broker = FleetConnectionState.Connected, Uri? server = null)
    {
        var options = new OtaServiceOptions { HealthManifest = manifest, ReadyTimeout = TimeSpan.FromMilliseconds(300), ServerTimeout = TimeSpan.FromSeconds(5) };
        return new AcousticHealthProbe(
            heartbeat ?? new AdvancingHeartbeat(),
            new HealthClipRunner(Settings(), NullLoggerFactory.Instance),
            new LinkReachability(() => broker, new ServerReachability(new GpuServerOptions { BaseAddress = server ?? _server.BaseAddress }, options.ServerTimeout)),
            _store,
            Path.Combine(_dir, "ota"),
            options,
            TimeProvider.System,
            NullLogger<AcousticHealthProbe>.Instance);
    }

    private static int UnusedPort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
