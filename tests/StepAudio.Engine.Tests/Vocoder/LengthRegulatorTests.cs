using StepAudio.Engine.Vocoder;
using Xunit;

namespace StepAudio.Engine.Tests.Vocoder;

public sealed class LengthRegulatorTests
{
    [Theory]
    [InlineData(5, 10)]
    [InlineData(7, 15)]
    [InlineData(10, 4)]
    [InlineData(1, 6)]
    [InlineData(12, 12)]
    [InlineData(50, 103)]
    public void Interpolate_WhenAnySizes_ThenMatchesPiecewiseLinearThroughCellCentres(int inFrames, int outFrames)
    {
        const int channels = 3;
        var source = RandomFrames(inFrames, channels, inFrames * 31 + outFrames);
        var destination = new float[channels * outFrames];

        LengthRegulator.Interpolate(source, inFrames, channels, destination, outFrames, 0, outFrames);

        for (var c = 0; c < channels; c++)
        {
            for (var i = 0; i < outFrames; i++)
            {
                Assert.Equal(CentreReference(source, inFrames, channels, c, (i + 0.5) / outFrames), destination[(c * outFrames) + i], 5);
            }
        }
    }

    [Fact]
    public void Interpolate_WhenDestinationHasStrideAndOffset_ThenWritesOnlyItsColumns()
    {
        var source = new float[] { 1, 10, 3, 30 }; // 2 frames x 2 channels
        var destination = new float[2 * 6];
        Array.Fill(destination, -7f);

        LengthRegulator.Interpolate(source, 2, 2, destination, 6, 2, 4);

        // Channel 0 goes 1 -> 3 over four frames: 1, 1.5, 2.5, 3 (edges held, as torch does).
        Assert.Equal(new float[] { -7, -7, 1, 1.5f, 2.5f, 3 }, destination[..6]);
        Assert.Equal(new float[] { -7, -7, 10, 15, 25, 30 }, destination[6..]);
    }

    [Fact]
    public void Resample_WhenWindowShiftedToItsPlaceInTheUtterance_ThenMatchesTheUtteranceWideSampling()
    {
        const int channels = 2, tokens = 40;
        const double framesPerToken = 2.067;
        var source = RandomFrames(tokens, channels, 5);
        var totalFrames = (int)(tokens * framesPerToken);
        var whole = new float[channels * totalFrames];
        LengthRegulator.Resample(source, tokens, channels, whole, totalFrames, 0, totalFrames, 1 / framesPerToken, 0);

        // Tokens 10..29 and frames 25..54 of the same utterance.
        const int firstToken = 10, windowTokens = 20, firstFrame = 25, windowFrames = 30;
        var window = new float[channels * windowFrames];
        LengthRegulator.Resample(
            source.AsSpan(firstToken * channels, windowTokens * channels), windowTokens, channels, window, windowFrames, 0, windowFrames,
            1 / framesPerToken, (firstFrame / framesPerToken) - firstToken);

        for (var c = 0; c < channels; c++)
        {
            for (var i = 0; i < windowFrames; i++)
            {
                Assert.Equal(whole[(c * totalFrames) + firstFrame + i], window[(c * windowFrames) + i], 5);
            }
        }
    }

    /// <summary>
    /// From first principles: input frame j is a sample at time (j + 0.5) / in, output frame i samples
    /// time (i + 0.5) / out on the polyline through them, held flat before the first and after the last.
    /// </summary>
    private static double CentreReference(float[] source, int inFrames, int channels, int channel, double time)
    {
        double Value(int j) => source[(j * channels) + channel];
        double Centre(int j) => (j + 0.5) / inFrames;
        if (time <= Centre(0))
        {
            return Value(0);
        }

        if (time >= Centre(inFrames - 1))
        {
            return Value(inFrames - 1);
        }

        var j0 = 0;
        while (Centre(j0 + 1) < time)
        {
            j0++;
        }

        var weight = (time - Centre(j0)) / (Centre(j0 + 1) - Centre(j0));
        return ((1 - weight) * Value(j0)) + (weight * Value(j0 + 1));
    }

    private static float[] RandomFrames(int frames, int channels, int seed)
    {
        var random = new Random(seed);
        var values = new float[frames * channels];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 4) - 2);
        }

        return values;
    }
}
