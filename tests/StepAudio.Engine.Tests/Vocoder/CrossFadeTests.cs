using StepAudio.Engine.Vocoder;
using Xunit;

namespace StepAudio.Engine.Tests.Vocoder;

public sealed class CrossFadeTests
{
    [Fact]
    public void Apply_WhenHandWindow_ThenNewHeadIsNewTimesRisingPlusOldTailTimesFalling()
    {
        float[] fadeIn = [1, 2, 3, 4, 5];
        float[] fadeOut = [9, 9, 10, 20, 30];
        float[] window = [0.25f, 0.5f, 0.75f, 0.75f, 0.5f, 0.25f];

        CrossFade.Apply(fadeIn, fadeOut, window);

        // new[:3] = new[:3] * w[:3] + old[-3:] * w[3:]
        Assert.Equal(new float[] { (1 * 0.25f) + (10 * 0.75f), (2 * 0.5f) + (20 * 0.5f), (3 * 0.75f) + (30 * 0.25f), 4, 5 }, fadeIn);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(34)]
    [InlineData(5120)]
    public void Window_WhenNormalised_ThenHalvesSumToOneAndKeepHammingShape(int overlap)
    {
        var window = new float[2 * overlap];

        CrossFade.Window(overlap, window);

        for (var n = 0; n < overlap; n++)
        {
            Assert.Equal(1f, window[n] + window[n + overlap], 1e-6f);
            var rising = CrossFade.Hamming(n, 2 * overlap);
            var falling = CrossFade.Hamming(n + overlap, 2 * overlap);
            Assert.Equal(rising / (rising + falling), window[n], 1e-6);
        }

        if (overlap > 2)
        {
            Assert.True(window[0] < 0.1f && window[overlap - 1] > 0.9f, "the rising half rises");
        }
    }

    [Fact]
    public void Window_WhenOverlapTwo_ThenHammingHalvesNormalisedByHand()
    {
        // np.hamming(4) = [0.08, 0.77, 0.77, 0.08]; each pair (w[n], w[n + 2]) divided by its sum 0.85.
        var window = new float[4];

        CrossFade.Window(2, window);

        Assert.Equal(0.08 / 0.85, window[0], 6);
        Assert.Equal(0.77 / 0.85, window[1], 6);
        Assert.Equal(0.77 / 0.85, window[2], 6);
        Assert.Equal(0.08 / 0.85, window[3], 6);
    }

    [Fact]
    public void Apply_WhenNormalisedWindow_ThenHeadFollowsTheFormulaAndTheRestIsUntouched()
    {
        const int overlap = 8;
        var window = new float[2 * overlap];
        CrossFade.Window(overlap, window);
        var fadeIn = Enumerable.Range(0, 20).Select(i => 1f + (0.1f * i)).ToArray();
        var original = fadeIn.ToArray();
        var fadeOut = Enumerable.Range(0, 12).Select(i => -2f + (0.05f * i)).ToArray();

        CrossFade.Apply(fadeIn, fadeOut, window);

        for (var n = 0; n < overlap; n++)
        {
            var w = CrossFade.Hamming(n, 2 * overlap) / (CrossFade.Hamming(n, 2 * overlap) + CrossFade.Hamming(n + overlap, 2 * overlap));
            var expected = (original[n] * w) + (fadeOut[fadeOut.Length - overlap + n] * (1 - w));
            Assert.Equal(expected, fadeIn[n], 5);
        }

        Assert.Equal(original[overlap..], fadeIn[overlap..]);
    }

    [Fact]
    public void Hamming_WhenSymmetric_ThenMatchesNumpyDefinition()
    {
        // np.hamming(5) = [0.08, 0.54, 1.0, 0.54, 0.08]
        Assert.Equal(0.08, CrossFade.Hamming(0, 5), 10);
        Assert.Equal(0.54, CrossFade.Hamming(1, 5), 10);
        Assert.Equal(1.0, CrossFade.Hamming(2, 5), 10);
        Assert.Equal(0.08, CrossFade.Hamming(4, 5), 10);
    }

    [Fact]
    public void Apply_WhenBothSignalsAreTheSame_ThenTheSignalIsUnchanged()
    {
        var signal = Enumerable.Range(0, 64).Select(i => MathF.Sin(i * 0.3f)).ToArray();
        var fadeIn = signal.ToArray();
        var fadeOut = signal[..32].ToArray();
        var window = new float[32];
        CrossFade.Window(16, window);

        CrossFade.Apply(fadeIn, fadeOut.Concat(signal[..16]).ToArray(), window);

        for (var i = 0; i < signal.Length; i++)
        {
            Assert.Equal(signal[i], fadeIn[i], 5);
        }
    }
}
