using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Hosting;
using StepAudio.Appliance.Ota;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.StandInServer;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Ota;

/// <summary>The conversation's activity as the OTA agent sees it, on the running service with a fake microphone and a gated speaker.</summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class ConversationActivityTests : IAsyncLifetime
{
    private readonly ContractModelsFixture _contract;
    private DeviceHostRig _rig = null!;

    public ConversationActivityTests(ModelsFixture models, ContractModelsFixture contract)
    {
        _ = models;
        _contract = contract;
    }

    public async Task InitializeAsync()
    {
        _rig = await DeviceHostRig.StartAsync(_contract, "activity");
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task Activity_IsBusyFromWakeThroughPlaybackAndIdleBeforeAndAfter()
    {
        using var microphoneOn = new ManualResetEventSlim(false);
        using var capture = new FakeAudioCapture(SpeechClips.Concat(HealthClips.WakeAndQuestion(), SpeechClips.Silence(120_000)), startGate: microphoneOn);
        var output = new GatedAudioOutput();
        var wake = new CollectingEventSink(PipelineEventTypes.Wake);
        using var host = Build(capture, output, wake);
        await host.StartAsync();
        var conversation = host.Services.GetRequiredService<ConversationService>();
        var activity = new ConversationActivity(conversation);

        var before = (activity.TurnInProgress, activity.AudioPlaying);
        microphoneOn.Set();
        await wake.Signalled.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var afterWake = activity.TurnInProgress;
        await output.Draining.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var whilePlaying = (activity.TurnInProgress, activity.AudioPlaying);
        output.Release();
        await conversation.WhenSettledAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var after = (activity.TurnInProgress, activity.AudioPlaying);
        await host.StopAsync();

        Assert.Equal((false, false), before);
        Assert.True(afterWake, "no turn in progress right after the wake word");
        Assert.Equal((true, true), whilePlaying);
        Assert.True(output.SamplesWritten > 0);
        Assert.Equal((false, false), after);
    }

    private IHost Build(IAudioCapture capture, IAudioOutput output, IPipelineEventSink events) =>
        _rig.Build(
            capture,
            output,
            new Dictionary<string, string?>(_rig.Settings) { ["Hosting:CaptureStartTimeoutMs"] = "100" },
            services => services.AddSingleton(events));
}
