using System.Threading.Channels;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Pipeline.Turns;
using StepAudio.TestSupport;
using Xunit.Abstractions;
using StepAudio.Engine.Tests.Fakes;

namespace StepAudio.Engine.Tests.Pipeline;

/// <summary>
/// What the listening loop's tokens at a pause have in common with the turn's final tokens, on
/// real speech through the real VAD, endpointing and streaming tokenizer (contract models).
/// </summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class SpeculationTokensTests(ModelsFixture models, ContractModelsFixture contract, ITestOutputHelper output) : IDisposable
{
    private readonly Channel<TurnSignal> _signals = Channel.CreateUnbounded<TurnSignal>();
    private readonly ListeningStages _stages = new(models, contract);

    public void Dispose() => _stages.Dispose();

    [Fact]
    public async Task EndOfTurn_WhenNoSpeechAfterThePause_ThenFinalTokensEqualThePauseSnapshot()
    {
        var signals = await RunAsync(
            SpeechClips.Synthesize("how warm is it outside today", wordsPerMinute: 160),
            SpeechClips.Silence(1500));

        Assert.Equal([TurnSignalKind.Wake, TurnSignalKind.SpeechStart, TurnSignalKind.Pause, TurnSignalKind.EndOfTurn], signals.Select(s => s.Kind));
        var atPause = await signals[2].Tokens!;
        var final = await signals[3].Tokens!;
        output.WriteLine($"pause snapshot {atPause.GroupCount} groups, final {final.GroupCount} groups");
        Assert.True(atPause.GroupCount > 5);
        Assert.Equal(atPause.ToInterleavedIds(), final.ToInterleavedIds());
        Assert.Same(signals[2].Tokens, signals[3].Tokens);
    }

    [Fact]
    public async Task EndOfTurn_WhenSpeechResumedAfterAPause_ThenTheLastPauseMatchesAndTheFirstSharesAPrefix()
    {
        var signals = await RunAsync(
            SpeechClips.Synthesize("how warm is it outside", wordsPerMinute: 160),
            SpeechClips.Silence(450),
            SpeechClips.Synthesize("right now in the garden", wordsPerMinute: 160),
            SpeechClips.Silence(1500));

        Assert.Equal(
            [TurnSignalKind.Wake, TurnSignalKind.SpeechStart, TurnSignalKind.Pause, TurnSignalKind.Resume, TurnSignalKind.Pause, TurnSignalKind.EndOfTurn],
            signals.Select(s => s.Kind));
        var first = (await signals[2].Tokens!).ToInterleavedIds();
        var last = (await signals[4].Tokens!).ToInterleavedIds();
        var final = (await signals[5].Tokens!).ToInterleavedIds();
        var shared = TokenPrefix.CommonGroups(first, final);
        output.WriteLine($"first pause {first.Length / 5} groups, final {final.Length / 5} groups, shared prefix {shared} groups ({TokenPrefix.CommonIds(first, final)} ids); " +
            $"vq02-only shared {SharedVq02Groups(first, final)} groups");

        Assert.Equal(last, final);
        Assert.Same(signals[4].Tokens, signals[5].Tokens);
        Assert.True(final.Length > first.Length);
        Assert.True(shared > 0, "the re-request shares at least the first group");
    }

    [Fact]
    public async Task EndOfTurn_WhenSpeechResumesLouder_ThenTheLastPauseStillMatchesTheFinalTokens()
    {
        // A louder second phrase raises the peak: the tokenizer normalises again from the start,
        // so the first pause's tokens need not be a prefix any more; the last pause's still are.
        var signals = await RunAsync(
            SpeechClips.Synthesize("how warm is it outside", wordsPerMinute: 160, peak: 0.25f),
            SpeechClips.Silence(450),
            SpeechClips.Synthesize("right now in the garden", wordsPerMinute: 160, peak: 0.8f),
            SpeechClips.Silence(1500));

        Assert.Equal(TurnSignalKind.EndOfTurn, signals[^1].Kind);
        var pauses = signals.Where(s => s.Kind == TurnSignalKind.Pause).ToList();
        var first = (await pauses[0].Tokens!).ToInterleavedIds();
        var last = (await pauses[^1].Tokens!).ToInterleavedIds();
        var final = (await signals[^1].Tokens!).ToInterleavedIds();
        output.WriteLine($"louder resume: first pause {first.Length / 5} groups, final {final.Length / 5}, shared prefix {TokenPrefix.CommonGroups(first, final)} groups");

        Assert.Equal(last, final);
    }

    /// <summary>Leading groups whose two vq02 ids agree (the streaming half of the tokenizer).</summary>
    private static int SharedVq02Groups(int[] a, int[] b)
    {
        var groups = Math.Min(a.Length, b.Length) / 5;
        for (var g = 0; g < groups; g++)
        {
            if (a[g * 5] != b[g * 5] || a[(g * 5) + 1] != b[(g * 5) + 1])
            {
                return g;
            }
        }

        return groups;
    }

    private async Task<List<TurnSignal>> RunAsync(params float[][] afterWake)
    {
        using var loop = _stages.NewLoop(new AudioTimeline(), _signals.Writer);
        var audio = SpeechClips.Concat([SpeechClips.Silence(600), SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140), SpeechClips.Silence(300), .. afterWake]);
        for (var offset = 0; offset < audio.Length; offset += 160)
        {
            loop.Process(audio.AsSpan(offset, Math.Min(160, audio.Length - offset)));
        }

        _signals.Writer.Complete();
        var signals = new List<TurnSignal>();
        await foreach (var signal in _signals.Reader.ReadAllAsync())
        {
            signals.Add(signal);
        }

        return signals;
    }
}
