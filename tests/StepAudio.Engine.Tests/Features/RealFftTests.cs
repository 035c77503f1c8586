using StepAudio.Engine.Features;
using Xunit;

namespace StepAudio.Engine.Tests.Features;

public sealed class RealFftTests
{
    [Theory]
    [InlineData(512)]
    [InlineData(400)]
    [InlineData(18)]
    [InlineData(14)]
    [InlineData(4)]
    public void PowerSpectrum_WhenComparedWithNaiveDft_ThenMatches(int size)
    {
        var random = new Random(size);
        var frame = new double[size];
        for (var i = 0; i < size; i++)
        {
            frame[i] = (random.NextDouble() * 2) - 1;
        }

        var fft = new RealFft(size);
        var power = new double[fft.BinCount];
        fft.PowerSpectrum(frame, power);

        var expected = ReferenceFeatures.NaivePowerSpectrum(frame, size);
        Assert.Equal(size / 2 + 1, fft.BinCount);
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(power[k] - expected[k]) <= 1e-9 * Math.Max(1, expected[k]), $"bin {k}: {power[k]} vs {expected[k]}");
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    public void Constructor_WhenSizeIsOddOrTooSmall_ThenThrows(int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RealFft(size));
    }
}
