using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Hosting;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Pipeline.Turns;
using StepAudio.StandInServer;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Appliance.Tests.Hosting;

/// <summary>
/// The service as systemd runs it, without systemd: NOTIFY_SOCKET points at a datagram socket the
/// test reads, capture is a fake device with a clock, playback a recorder; models, tokenizer,
/// vocoder and the stand-in server are real.
/// </summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class ApplianceHostTests : IAsyncLifetime
{
    private readonly ContractModelsFixture _contract;
    private DeviceHostRig _rig = null!;

    public ApplianceHostTests(ModelsFixture models, ContractModelsFixture contract)
    {
        _ = models;
        _contract = contract;
    }

    public async Task InitializeAsync()
    {
        _rig = await DeviceHostRig.StartAsync(_contract, "host");
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task Run_UnderServiceManager_ReportsReadyWatchdogWhileAudioFlowsAndStopping()
    {
        using var manager = new ServiceManagerNotifications();
        var capture = new FakeAudioCapture(SpeechClips.Silence(1000));
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", manager.SocketPath);
        Environment.SetEnvironmentVariable("WATCHDOG_USEC", "200000");
        try
        {
            using var host = Build(capture, new RecordingAudioOutput(22050));
            await host.StartAsync();

            await manager.WaitForAsync(line => line == "READY=1", TimeSpan.FromSeconds(30));
            Assert.Contains("STATUS=loading and warming models", manager.Received);
            Assert.Contains("STATUS=listening", manager.Received);
            Assert.True(manager.Received.IndexOf("STATUS=listening") < manager.Received.IndexOf("READY=1"), "READY only after capture runs");
            Assert.True(Interlocked.Read(ref capture.PeriodsDelivered) > 0);

            await manager.WaitForAsync(line => line == "WATCHDOG=1", TimeSpan.FromSeconds(5));
            await manager.WaitForAsync(line => line == "WATCHDOG=1", TimeSpan.FromSeconds(5));

            capture.Stall();
            await manager.WaitForAsync(line => line.StartsWith("STATUS=audio loop stalled", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
            var whileStalled = await manager.CollectAsync(TimeSpan.FromMilliseconds(600));
            Assert.DoesNotContain("WATCHDOG=1", whileStalled);

            capture.Resume();
            await manager.WaitForAsync(line => line == "WATCHDOG=1", TimeSpan.FromSeconds(5));

            await host.StopAsync();
            await manager.WaitForAsync(line => line == "STOPPING=1", TimeSpan.FromSeconds(10));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
            capture.Dispose();
        }
    }

    [Fact]
    public async Task Run_WhenWakePhraseAndQuestionArriveThroughCapture_SpeaksTheReply()
    {
        var request = SpeechClips.Concat(
            SpeechClips.Silence(500),
            SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140),
            SpeechClips.Silence(300),
            SpeechClips.Synthesize("what time is it in Tokyo"),
            SpeechClips.Silence(3000));
        var capture = new FakeAudioCapture(request);
        var output = new RecordingAudioOutput(22050);
        var events = new CollectingEventSink();
        using var host = Build(capture, output, services => services.AddSingleton<IPipelineEventSink>(events));

        await host.StartAsync();
        await events.Signalled.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await host.StopAsync();
        capture.Dispose();

        Assert.Equal(1, output.ReplyCount);
        Assert.True(output.Samples.Length > 22050 / 2, $"{output.Samples.Length} samples played");
        Assert.Contains(PipelineEventTypes.Wake, events.Types);
        Assert.Contains(PipelineEventTypes.FirstAudioOut, events.Types);
    }

    [Fact]
    public async Task Stop_WhileAReplyIsStreaming_CancelsTheServerStreamsAndEndsTheTurn()
    {
        // A slow server: the reply is still streaming when the service is told to stop.
        _rig.Server.Options.TokenInterval = TimeSpan.FromMilliseconds(150);
        var request = SpeechClips.Concat(
            SpeechClips.Silence(500),
            SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140),
            SpeechClips.Silence(300),
            SpeechClips.Synthesize("tell me a long story"),
            SpeechClips.Silence(3000));
        var capture = new FakeAudioCapture(request);
        var events = new CollectingEventSink(PipelineEventTypes.FirstTextToken);
        using var host = Build(capture, new RecordingAudioOutput(22050), services => services.AddSingleton<IPipelineEventSink>(events));
        await host.StartAsync();
        await events.Signalled.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var cancelledBefore = _rig.Server.CancelledGenerations;

        await host.StopAsync();
        capture.Dispose();

        await _rig.Server.WaitForCancelledAsync(cancelledBefore + 1, TimeSpan.FromSeconds(10));
        Assert.Contains(PipelineEventTypes.TurnEnd, events.Types);
        Assert.DoesNotContain(PipelineEventTypes.Error, events.Types);
    }

    [Fact]
    public async Task Run_WhenAnotherSpeakerWinsTheWake_GoesBackToListeningWithoutAsking()
    {
        var request = SpeechClips.Concat(
            SpeechClips.Silence(500),
            SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140),
            SpeechClips.Silence(300),
            SpeechClips.Synthesize("what time is it"),
            SpeechClips.Silence(3000));
        var capture = new FakeAudioCapture(request);
        var events = new CollectingEventSink(PipelineEventTypes.ArbitrationLost);
        var arbiter = new LosingArbiter();
        using var host = Build(capture, new RecordingAudioOutput(22050), services =>
        {
            services.AddSingleton<IPipelineEventSink>(events);
            services.AddSingleton<IWakeArbiter>(arbiter);
        });

        await host.StartAsync();
        await events.Signalled.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await host.StopAsync();
        capture.Dispose();

        var claim = Assert.Single(arbiter.Claims);
        Assert.Equal("hey_jarvis", claim.Keyword);
        Assert.True(claim.SignalToNoiseDb > 20, $"snr {claim.SignalToNoiseDb} dB for speech over digital silence");
        Assert.Contains(PipelineEventTypes.ArbitrationLost, events.Types);
        Assert.DoesNotContain(PipelineEventTypes.SpeculativeStart, events.Types);
        Assert.Equal(0, _rig.Server.StartedGenerations);
    }

    private sealed class LosingArbiter : IWakeArbiter
    {
        public List<WakeClaim> Claims { get; } = [];

        public Task<bool> ShouldAnswerAsync(WakeClaim claim, CancellationToken cancellationToken)
        {
            Claims.Add(claim);
            return Task.FromResult(false);
        }
    }

    [Fact]
    public async Task Start_WhenAnOptionIsOutOfRange_FailsBeforeReadyNamingThePath()
    {
        var capture = new FakeAudioCapture([]);
        using var host = Build(capture, new RecordingAudioOutput(22050), configure: config => config["Endpointing:EndOfTurnMs"] = "100");

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Endpointing", ex.Message, StringComparison.Ordinal);
        Assert.Contains("EndOfTurnMs", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, Interlocked.Read(ref capture.PeriodsDelivered));
        capture.Dispose();
    }

    private IHost Build(IAudioCapture capture, IAudioOutput output, Action<IServiceCollection>? services = null, Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = new Dictionary<string, string?>(_rig.Settings)
        {
            ["Hosting:CaptureStartTimeoutMs"] = "10000",
        };
        configure?.Invoke(settings);
        return _rig.Build(capture, output, settings, services);
    }
}
