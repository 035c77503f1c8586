using System.Threading.Channels;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Pipeline.Turns;
using StepAudio.Engine.Tests.Fakes;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.StandInServer;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Replay.Fakes;
using StepAudio.TestSupport.Room;

namespace StepAudio.Engine.Tests.Pipeline;

/// <summary>The coordinator's half of barge-in against the stand-in server, the contract vocoder and a loudspeaker in audio time.</summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class TurnCoordinatorBargeInTests(ModelsFixture models, ContractModelsFixture contract) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-bargein-{Guid.NewGuid():N}");
    private StandInGpuServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        WavFile.Write(Path.Combine(_dir, "prompt.wav"), SpeechClips.Synthesize("Hello, this is the voice of your speaker."), 16000, 1);

        // Slow enough that the reply is still being synthesised when the user talks over it.
        _server = await StandInGpuServer.StartAsync(new StandInOptions { FirstTokenDelay = TimeSpan.FromMilliseconds(20), TokenInterval = TimeSpan.FromMilliseconds(15) });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task RunAsync_WhenUserBargesInWhileReplyPlays_CancelsTheServerStreamsFlushesPlaybackAndReportsIt()
    {
        var serverOptions = new GpuServerOptions { BaseAddress = _server.BaseAddress };
        using var tokenizer = DualCodebookTokenizer.Load(new TokenizerOptions { ModelDirectory = contract.Directory }, models.Factory);
        using var vocoder = StreamingVocoder.Load(new VocoderOptions { ModelDirectory = contract.Directory }, models.Factory);
        using var client = new GpuServerClient(serverOptions);
        var voice = await SpeakerVoiceBuilder.BuildAsync(new VoiceOptions { PromptWav = Path.Combine(_dir, "prompt.wav"), PromptText = "Hello, this is the voice of your speaker." }, tokenizer, vocoder);
        var playback = new RoomLoudspeaker();
        var events = new RecordingEventSink();
        var timeline = new AudioTimeline();
        var coordinator = new TurnCoordinator(
            new TurnLink(client, new TtsPromptBuilder(client, serverOptions.TtsModel)),
            new VoiceSelector(voice, vocoder),
            playback,
            events,
            timeline,
            new ConversationContext(new ConversationOptions(), serverOptions.SystemPrompt));
        var signals = Channel.CreateUnbounded<TurnSignal>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var running = coordinator.RunAsync(signals.Reader, stop.Token);

        AudioTokens question;
        using (var session = tokenizer.StartSession())
        {
            session.Append(SpeechClips.Synthesize("what is the weather like tomorrow"));
            question = await session.CompleteAsync(CancellationToken.None);
        }

        signals.Writer.TryWrite(new TurnSignal(TurnSignalKind.Wake, 0, 1, "hey_jarvis", 0.9f));
        signals.Writer.TryWrite(new TurnSignal(TurnSignalKind.EndOfTurn, 1000, 1) { Tokens = Task.FromResult(question), Reason = "silence" });
        await WaitUntilAsync(() => playback.Queued > 0, events);
        var generationsBefore = _server.StartedGenerations;

        signals.Writer.TryWrite(new TurnSignal(TurnSignalKind.BargeIn, 1500, 1, "speech", 0.93f) { Reason = "speech", SpeechMs = 640 });
        await coordinator.WhenTurnFinished(1).WaitAsync(Patience);
        await _server.WaitForCancelledAsync(1, Patience);
        await coordinator.CurrentReply.WaitAsync(Patience);

        var all = events.Events;
        var bargeIn = Assert.IsType<BargedIn>(Assert.Single(all, e => e.Type == PipelineEventTypes.BargeIn));
        Assert.Equal("speech", bargeIn.Trigger);
        Assert.Equal(640, bargeIn.SpeechMs);
        Assert.True(bargeIn.ReplyCancelled);
        var end = Assert.IsType<TurnEnded>(Assert.Single(all, e => e.Type == PipelineEventTypes.TurnEnd));
        Assert.True(end.Cancelled);
        Assert.Equal(1, coordinator.BargeIns);
        Assert.Equal(0, coordinator.CompletedTurns);
        Assert.Equal(0, playback.Replies);

        // Whatever the reply wrote between the loop's stop and its cancellation was flushed too.
        Assert.True(playback.Stops >= 1);
        Assert.Equal(0, playback.Queued);
        Assert.Equal(generationsBefore, _server.StartedGenerations);

        signals.Writer.Complete();
        await running.WaitAsync(Patience);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, RecordingEventSink events)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the reply never reached the loudspeaker: " + string.Join("; ", events.Events));
            await Task.Delay(5);
        }
    }
}
