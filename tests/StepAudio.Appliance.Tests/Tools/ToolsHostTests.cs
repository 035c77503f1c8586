using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Hosting;
using StepAudio.Appliance.Storage;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.Appliance.Tools;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Link.Tools;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Tools.Timers;
using StepAudio.Engine.Tools.Weather;
using StepAudio.StandInServer;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Appliance.Tests.Tools;

/// <summary>The tools in the running service: real models, tokenizer, vocoder and stand-in server; fake capture and playback.</summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class ToolsHostTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly ContractModelsFixture _contract;
    private DeviceHostRig _rig = null!;

    public ToolsHostTests(ModelsFixture models, ContractModelsFixture contract)
    {
        _ = models;
        _contract = contract;
    }

    public async Task InitializeAsync()
    {
        _rig = await DeviceHostRig.StartAsync(_contract, "tools-host");
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task Run_WhenTheModelAsksForTheWeather_KeepsListeningWhileTheToolRunsThenSpeaksTheAnswer()
    {
        _rig.Server.Options.ToolScript.Add(new StandInToolRound("Let me look.", new StandInToolCall("get_weather", """{"location": "Dublin"}""")));
        var weather = new GatedWeatherProvider();
        var capture = new FakeAudioCapture(Question("what is the weather in Dublin"));
        var output = new RecordingAudioOutput(22050);
        var events = new CollectingEventSink();
        using var host = Build(capture, output, services =>
        {
            services.AddSingleton<IPipelineEventSink>(events);
            services.AddSingleton<IWeatherProvider>(weather);
        });
        await host.StartAsync();
        var heartbeat = host.Services.GetRequiredService<IAudioHeartbeat>();

        Assert.Equal("Dublin", await weather.Asked.Task.WaitAsync(Limit));
        long framesWhenAsked = heartbeat.FramesProcessed;
        // The tool is still out: the listening loop must go on taking frames from the capture thread.
        await WaitUntilAsync(() => heartbeat.FramesProcessed >= framesWhenAsked + 10);
        // ...and the words said before the call go to speech synthesis without waiting for the tool.
        await WaitUntilAsync(() => _rig.Server.CompletionRequestBodies.Count >= 1);
        Assert.False(weather.Gate.Task.IsCompleted);
        weather.Gate.SetResult();

        await events.Signalled.Task.WaitAsync(Limit);
        await host.StopAsync();
        capture.Dispose();

        Assert.DoesNotContain(PipelineEventTypes.Error, events.Types);
        Assert.Contains(ToolEventTypes.ToolCall, events.Types);
        Assert.Equal(1, output.ReplyCount);
        Assert.Equal(2, _rig.Server.ChatRequestBodies.Count);
        using var followUp = JsonDocument.Parse(_rig.Server.ChatRequestBodies[1]);
        JsonElement messages = followUp.RootElement.GetProperty("messages");
        JsonElement result = messages[messages.GetArrayLength() - 1];
        Assert.Equal("call_0_0", result.GetProperty("tool_call_id").GetString());
        Assert.Contains("drizzle", result.GetProperty("content").GetString(), StringComparison.Ordinal);
        // Both the words before the call and the answer after it went to TTS.
        Assert.True(_rig.Server.CompletionRequestBodies.Count >= 2, $"{_rig.Server.CompletionRequestBodies.Count} TTS requests");
    }

    [Fact]
    public async Task Start_WhenATimerFellDueWhileOffAndTheServerIsGone_RingsThroughThePlaybackUntilTheLimit()
    {
        var clock = new ManualTimeProvider();
        string state = Path.Combine(_rig.Directory, "state", "tools");
        new TimerStore(state, AtomicFileWriter.Instance).Save([new TimerEntry("1", "pizza", clock.GetUtcNow() - TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(12))]);
        Uri gone;
        await using (var stopped = await StandInGpuServer.StartAsync(new StandInOptions()))
        {
            gone = stopped.BaseAddress; // nothing listens there once it is disposed
        }

        var capture = new FakeAudioCapture(SpeechClips.Silence(500));
        var output = new RecordingAudioOutput(22050);
        var events = new CollectingEventSink(ToolEventTypes.RingingStopped);
        using var host = Build(capture, output, services =>
        {
            services.AddSingleton<IPipelineEventSink>(events);
            services.AddSingleton<TimeProvider>(clock);
        }, settings => settings["GpuServer:BaseAddress"] = gone.ToString());

        await host.StartAsync();
        var tools = host.Services.GetRequiredService<ApplianceTools>();
        Assert.True(tools.Timers.IsRinging);
        clock.Advance(TimeSpan.FromMinutes(2));
        await events.Signalled.Task.WaitAsync(Limit);
        await host.StopAsync();
        capture.Dispose();

        Assert.Contains(ToolEventTypes.TimerRang, events.Types);
        Assert.Contains(ToolEventTypes.RingingStopped, events.Types);
        float[] chime = Chime.Render(output.SampleRate);
        Assert.True(output.Samples.Length >= chime.Length * 10, $"{output.Samples.Length} samples rung");
        Assert.Equal(chime, output.Samples.AsSpan(0, chime.Length).ToArray());
        Assert.Empty(new TimerStore(state, AtomicFileWriter.Instance).Load());
    }

    [Fact]
    public async Task Start_WhenAToolsOptionIsOutOfRange_FailsBeforeReadyNamingThePath()
    {
        var capture = new FakeAudioCapture([]);
        using var host = Build(capture, new RecordingAudioOutput(22050), configure: settings => settings["Tools:MaxRounds"] = "0");

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Tools", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRounds", ex.Message, StringComparison.Ordinal);
        capture.Dispose();
    }

    [Fact]
    public void PlaybackVolume_WhenTheOutputIsASpeaker_SetsItsGainLiveAndClamps()
    {
        var speaker = new FakePlayback();
        var volume = new PlaybackVolume(speaker);

        volume.Volume = 0.25f;
        Assert.Equal(0.25f, speaker.Volume);
        volume.Volume = 3f;
        Assert.Equal(1f, speaker.Volume);
    }

    private static float[] Question(string text) => SpeechClips.Concat(
        SpeechClips.Silence(500),
        SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140),
        SpeechClips.Silence(300),
        SpeechClips.Synthesize(text),
        SpeechClips.Silence(3000));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Limit);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!condition())
        {
            await tick.WaitForNextTickAsync(timeout.Token);
        }
    }

    private IHost Build(IAudioCapture capture, IAudioOutput output, Action<IServiceCollection>? services = null, Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = new Dictionary<string, string?>(_rig.Settings)
        {
            ["Hosting:CaptureStartTimeoutMs"] = "10000",
            ["Hosting:StateDirectory"] = Path.Combine(_rig.Directory, "state"),
        };
        configure?.Invoke(settings);
        return _rig.Build(capture, output, settings, services);
    }
}
