using StepAudio.TestSupport;
using StepAudio.Engine.Vad;
using StepAudio.TestSupport.Allocation;

namespace StepAudio.Engine.Tests.Vad;

[Collection(PinnedModelsGroup.Name)]
public sealed class SileroVadTests(ModelsFixture models)
{
    [Theory]
    [InlineData("Turn the kitchen lights off and tell me tomorrow's forecast.", 1000, 1500)]
    [InlineData("How far is the moon?", 700, 900)]
    public void Process_WhenSpeechIsPaddedWithSilence_FindsBoundariesWithin100Ms(string sentence, int leadMs, int tailMs)
    {
        using var vad = SileroVad.Load(models.PathOf("silero-vad-v5"), models.Factory);
        var speech = SpeechClips.Synthesize(sentence);
        var (onset, offset) = VoicedExtent(speech);
        var audio = WithRoomNoise(SpeechClips.Concat(SpeechClips.Silence(leadMs), speech, SpeechClips.Silence(tailMs)), seed: 7);

        var probabilities = Run(vad, audio);

        var firstSpeech = Array.FindIndex(probabilities, p => p >= 0.5f);
        var lastSpeech = Array.FindLastIndex(probabilities, p => p >= 0.5f);
        Assert.True(firstSpeech >= 0, "no speech found");
        var foundStartMs = firstSpeech * 32.0;
        var foundEndMs = (lastSpeech + 1) * 32.0;
        Assert.InRange(foundStartMs, leadMs + onset - 100, leadMs + onset + 100);
        Assert.InRange(foundEndMs, leadMs + offset - 100, leadMs + offset + 100);
    }

    [Fact]
    public void Process_WhenOnlyRoomNoise_StaysBelowThreshold()
    {
        using var vad = SileroVad.Load(models.PathOf("silero-vad-v5"), models.Factory);
        var probabilities = Run(vad, WithRoomNoise(SpeechClips.Silence(5000), seed: 3));

        Assert.All(probabilities, p => Assert.True(p < 0.5f, $"probability {p} on noise"));
    }

    [Fact]
    public void Process_WithoutContextCarry_GivesDifferentProbabilities()
    {
        // The reference prepends 64 samples of the previous frame; dropping them changes the result,
        // which is why the stage carries them (this guards against a refactor losing the context).
        using var vad = SileroVad.Load(models.PathOf("silero-vad-v5"), models.Factory);
        var audio = SpeechClips.Synthesize("Context matters for every frame.");
        var carried = Run(vad, audio);
        var resetEachFrame = new float[carried.Length];
        for (var i = 0; i < carried.Length; i++)
        {
            vad.Reset();
            resetEachFrame[i] = vad.Process(audio.AsSpan(i * 512, 512));
        }

        Assert.NotEqual(carried, resetEachFrame);
    }

    [Fact]
    public void Process_WhenFrameIsNot512Samples_ThrowsClearly()
    {
        using var vad = SileroVad.Load(models.PathOf("silero-vad-v5"), models.Factory);

        var ex = Assert.Throws<ArgumentException>(() => vad.Process(new float[480]));
        Assert.Contains("512", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_WhenWarm_AllocatesNothing()
    {
        using var vad = SileroVad.Load(models.PathOf("silero-vad-v5"), models.Factory);
        var frame = new float[512];
        for (var i = 0; i < 20; i++)
        {
            vad.Process(frame);
        }

        var allocated = AllocationMeter.Measure(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                vad.Process(frame);
            }
        });

        Assert.Equal(0, allocated);
    }

    private static float[] Run(SileroVad vad, float[] audio)
    {
        var frames = audio.Length / 512;
        var result = new float[frames];
        for (var i = 0; i < frames; i++)
        {
            result[i] = vad.Process(audio.AsSpan(i * 512, 512));
        }

        return result;
    }

    /// <summary>The span where the clip is above 2% of its peak, in ms: the oracle the VAD is judged against.</summary>
    private static (double OnsetMs, double OffsetMs) VoicedExtent(float[] clip)
    {
        var peak = clip.Max(MathF.Abs);
        var first = Array.FindIndex(clip, s => MathF.Abs(s) > 0.02f * peak);
        var last = Array.FindLastIndex(clip, s => MathF.Abs(s) > 0.02f * peak);
        return (first / 16.0, last / 16.0);
    }

    private static float[] WithRoomNoise(float[] audio, int seed)
    {
        var random = new Random(seed);
        var result = (float[])audio.Clone();
        for (var i = 0; i < result.Length; i++)
        {
            // About -50 dBFS of broadband noise: a quiet room, not digital silence.
            result[i] += (float)((random.NextDouble() * 2) - 1) * 0.005f;
        }

        return result;
    }
}
