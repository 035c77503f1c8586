using StepAudio.Engine.Features;
using Xunit;

namespace StepAudio.Engine.Tests.Features;

public sealed class WhisperLogMelAccumulatorTests
{
    [Fact]
    public void Compute_WhenGivenSyntheticSignal_ThenMatchesFirstPrinciples()
    {
        var signal = TestSignals.Synthetic(4321, seed: 11);
        var features = WhisperLogMelAccumulator.Compute(signal, out var frames);
        AssertMatches(ReferenceFeatures.WhisperLogMel(signal), features, frames);
    }

    [Fact]
    public void Compute_WhenGivenRealSpeech_ThenMatchesFirstPrinciples()
    {
        Assert.True(File.Exists(TestSignals.SpeechClip), $"{TestSignals.SpeechClip} is missing: apt-get install -y alsa-utils");
        var speech = TestSignals.ReadPcm16Wav(TestSignals.SpeechClip).AsSpan(18000, 6400).ToArray();
        var features = WhisperLogMelAccumulator.Compute(speech, out var frames);
        AssertMatches(ReferenceFeatures.WhisperLogMel(speech), features, frames);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(160)]
    [InlineData(333)]
    [InlineData(3840)]
    public void Accept_WhenStreamedInChunks_ThenFinishEqualsWholeSegment(int chunk)
    {
        var signal = TestSignals.Synthetic(7000, seed: 2);
        var whole = WhisperLogMelAccumulator.Compute(signal, out var frames);

        var accumulator = new WhisperLogMelAccumulator();
        for (var start = 0; start < signal.Length; start += chunk)
        {
            accumulator.Accept(signal.AsSpan(start, Math.Min(chunk, signal.Length - start)));
        }

        var streamed = new float[frames * 128];
        Assert.Equal(frames, accumulator.Finish(streamed));
        Assert.Equal(whole, streamed);
    }

    [Fact]
    public void Finish_WhenCalledMidSegment_ThenLaterResultIsUndisturbed()
    {
        var signal = TestSignals.Synthetic(6000, seed: 4);
        var accumulator = new WhisperLogMelAccumulator();
        accumulator.Accept(signal.AsSpan(0, 2345));
        var snapshot = new float[WhisperLogMelAccumulator.FrameCountFor(2345) * 128];
        accumulator.Finish(snapshot);
        Assert.Equal(WhisperLogMelAccumulator.Compute(signal.AsSpan(0, 2345), out _), snapshot);

        accumulator.Accept(signal.AsSpan(2345));
        var final = new float[WhisperLogMelAccumulator.FrameCountFor(6000) * 128];
        accumulator.Finish(final);
        Assert.Equal(WhisperLogMelAccumulator.Compute(signal, out _), final);
    }

    [Theory]
    [InlineData(480, 3)]
    [InlineData(16000, 100)]
    [InlineData(16159, 100)]
    public void FrameCountFor_WhenCentredWithLastFrameDropped_ThenSamplesOverHop(int samples, int frames)
    {
        Assert.Equal(frames, WhisperLogMelAccumulator.FrameCountFor(samples));
    }

    [Fact]
    public void Finish_WhenTooShortToReflectPad_ThenThrows()
    {
        var accumulator = new WhisperLogMelAccumulator();
        accumulator.Accept(new float[200]);
        Assert.Throws<InvalidOperationException>(() => accumulator.Finish(new float[128]));
    }

    [Fact]
    public void Accept_WhenSegmentWouldExceedCapacity_ThenThrows()
    {
        var accumulator = new WhisperLogMelAccumulator(1000);
        accumulator.Accept(new float[900]);
        var error = Assert.Throws<InvalidOperationException>(() => accumulator.Accept(new float[101]));
        Assert.Contains("1000", error.Message, StringComparison.Ordinal);
    }

    private static void AssertMatches(double[][] expected, float[] actual, int frames)
    {
        Assert.Equal(expected[0].Length, frames);
        for (var m = 0; m < 128; m++)
        {
            for (var t = 0; t < frames; t++)
            {
                var difference = Math.Abs(expected[m][t] - actual[(m * frames) + t]);
                Assert.True(difference <= 1e-4, $"mel {m} frame {t}: {actual[(m * frames) + t]} vs {expected[m][t]}");
            }
        }
    }
}
