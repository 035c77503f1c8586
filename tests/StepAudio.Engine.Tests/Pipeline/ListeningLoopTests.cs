using System.Threading.Channels;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Allocation;
using StepAudio.Engine.Tests.Fakes;

namespace StepAudio.Engine.Tests.Pipeline;

[Collection(PinnedModelsGroup.Name)]
public sealed class ListeningLoopTests(ModelsFixture models, ContractModelsFixture contract) : IDisposable
{
    private readonly Channel<TurnSignal> _signals = Channel.CreateUnbounded<TurnSignal>();
    private readonly ListeningStages _stages = new(models, contract);

    public void Dispose() => _stages.Dispose();

    [Fact]
    public async Task Process_WhenWakeThenQuestionWithPause_PostsSignalsInOrderWithTokens()
    {
        using var loop = NewLoop();
        var audio = SpeechClips.Concat(
            SpeechClips.Silence(600),
            SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140),
            SpeechClips.Silence(300),
            SpeechClips.Synthesize("how warm is it outside", wordsPerMinute: 160),
            SpeechClips.Silence(450),
            SpeechClips.Synthesize("right now", wordsPerMinute: 160),
            SpeechClips.Silence(1500));

        Feed(loop, audio, 160);
        _signals.Writer.Complete();
        var signals = new List<TurnSignal>();
        await foreach (var signal in _signals.Reader.ReadAllAsync())
        {
            signals.Add(signal);
        }

        Assert.Equal(
            [TurnSignalKind.Wake, TurnSignalKind.SpeechStart, TurnSignalKind.Pause, TurnSignalKind.Resume, TurnSignalKind.Pause, TurnSignalKind.EndOfTurn],
            signals.Select(s => s.Kind));
        Assert.All(signals, s => Assert.Equal(1, s.TurnId));
        Assert.True(signals.Zip(signals.Skip(1)).All(p => p.First.AtMs <= p.Second.AtMs), "signals move forward in time");
        var speculative = await signals[2].Tokens!;
        var final = await signals[5].Tokens!;
        Assert.True(speculative.GroupCount > 0);
        Assert.True(final.GroupCount > speculative.GroupCount, "the final tokens cover more audio than the first pause's");
        Assert.False(loop.InTurn);
    }

    [Fact]
    public void Process_WhenIdleOrInTurn_AllocatesNothingPerFrame()
    {
        using var loop = NewLoop();
        var random = new Random(3);
        var noise = new float[512];
        for (var i = 0; i < noise.Length; i++)
        {
            noise[i] = ((float)random.NextDouble() - 0.5f) * 0.002f;
        }

        // Warm: long enough for every path of a quiet room (the VAD gate closing, tiered
        // compilation of the per-frame code) to have run before anything is measured.
        for (var i = 0; i < 150; i++)
        {
            loop.Process(noise);
        }

        var idle = Measure(loop, noise, 50);

        // A turn without the wake word (the action button), in quiet room noise: every frame now
        // also feeds the tokenizer and the endpointing state machine.
        loop.RequestTurn();
        loop.Process(noise);
        Assert.True(loop.InTurn);
        for (var i = 0; i < 30; i++)
        {
            loop.Process(noise);
        }

        var inTurn = Measure(loop, noise, 50);

        Assert.Equal(0, idle);
        Assert.Equal(0, inTurn);
        Assert.True(loop.InTurn, "still in the turn: the frames measured were plain turn frames");
    }

    private static long Measure(ListeningLoop loop, float[] frame, int frames)
    {
        return AllocationMeter.Measure(() =>
        {
            for (var i = 0; i < frames; i++)
            {
                loop.Process(frame);
            }
        });
    }

    private ListeningLoop NewLoop() => _stages.NewLoop(new AudioTimeline(), _signals.Writer);

    private static void Feed(ListeningLoop loop, float[] audio, int chunk)
    {
        for (var offset = 0; offset < audio.Length; offset += chunk)
        {
            loop.Process(audio.AsSpan(offset, Math.Min(chunk, audio.Length - offset)));
        }
    }
}
