using StepAudio.Engine.Audio;
using Xunit;
using Xunit.Abstractions;

namespace StepAudio.Engine.Tests.Audio;

public sealed class PolyphaseResamplerQualityTests(ITestOutputHelper output)
{
    private const int Seconds = 1;

    [Theory]
    [InlineData(9000)]
    [InlineData(12000)]
    [InlineData(20000)]
    public void ResampleAll_When48kTo16kToneAboveNewNyquist_ThenAttenuatedBy60Db(int frequency)
    {
        var input = Signals.Tone(frequency, 48000, 48000 * Seconds);

        var resampled = PolyphaseResampler.ResampleAll(input, 48000, 16000);

        var gain = Signals.Decibels(Signals.Rms(Steady(resampled, 16000)) / Signals.Rms(input));
        output.WriteLine($"48k->16k {frequency} Hz: {gain:F1} dB");
        Assert.True(gain <= -60, $"A {frequency} Hz tone came through at {gain:F1} dB; it must be at least 60 dB down.");
    }

    [Theory]
    [InlineData(16000, 48000, 6000)]
    [InlineData(22050, 48000, 9000)]
    [InlineData(8000, 16000, 3000)]
    public void ResampleAll_WhenUpsampling_ThenSpectralImageAttenuatedBy60Db(int inputRate, int outputRate, int frequency)
    {
        var input = Signals.Tone(frequency, inputRate, inputRate * Seconds);

        var resampled = Steady(PolyphaseResampler.ResampleAll(input, inputRate, outputRate), outputRate);

        // Upsampling without a good low-pass leaves a mirror of the tone at inputRate - frequency.
        var image = Signals.ToneAmplitude(resampled, inputRate - frequency, outputRate);
        var tone = Signals.ToneAmplitude(resampled, frequency, outputRate);
        var rejection = Signals.Decibels(image / tone);
        output.WriteLine($"{inputRate}->{outputRate} image of {frequency} Hz: {rejection:F1} dB");
        Assert.True(rejection <= -60, $"The image at {inputRate - frequency} Hz is only {rejection:F1} dB below the tone.");
    }

    [Theory]
    [InlineData(48000, 16000)]
    [InlineData(44100, 16000)]
    [InlineData(22050, 48000)]
    [InlineData(16000, 48000)]
    [InlineData(8000, 16000)]
    [InlineData(24000, 16000)]
    public void ResampleAll_When1kHzTone_ThenLevelWithinTenthOfDecibel(int inputRate, int outputRate)
    {
        var input = Signals.Tone(1000, inputRate, inputRate * Seconds);

        var resampled = PolyphaseResampler.ResampleAll(input, inputRate, outputRate);

        var gain = Signals.Decibels(Signals.Rms(Steady(resampled, outputRate)) / Signals.Rms(Steady(input, inputRate)));
        output.WriteLine($"{inputRate}->{outputRate} 1 kHz: {gain:F4} dB");
        Assert.InRange(gain, -0.1, 0.1);
    }

    [Theory]
    [InlineData(48000, 16000)]
    [InlineData(44100, 16000)]
    [InlineData(22050, 48000)]
    [InlineData(16000, 48000)]
    public void ResampleAll_When1kHzTone_ThenFrequencyIsKept(int inputRate, int outputRate)
    {
        var input = Signals.Tone(1000, inputRate, inputRate * Seconds);

        var resampled = PolyphaseResampler.ResampleAll(input, inputRate, outputRate);

        var frequency = Signals.ZeroCrossingFrequency(Steady(resampled, outputRate), outputRate);
        Assert.InRange(frequency, 999.9, 1000.1);
    }

    [Theory]
    [InlineData(48000, 16000, 4800)]
    [InlineData(48000, 16000, 1001)]
    [InlineData(44100, 16000, 4410)]
    [InlineData(44100, 16000, 7777)]
    [InlineData(22050, 48000, 2205)]
    [InlineData(16000, 48000, 333)]
    [InlineData(16000, 22050, 1234)]
    public void ResampleAll_WhenClickAtInputTime_ThenPeakAtSameOutputTime(int inputRate, int outputRate, int clickIndex)
    {
        var input = new float[inputRate / 2];
        input[clickIndex] = 1f;

        var resampled = PolyphaseResampler.ResampleAll(input, inputRate, outputRate);

        var expected = (double)clickIndex * outputRate / inputRate;
        Assert.InRange(Signals.IndexOfPeak(resampled), expected - 1, expected + 1);
    }

    [Theory]
    [InlineData(48000, 16000, 1000)]
    [InlineData(44100, 16000, 44101)]
    [InlineData(22050, 48000, 7)]
    [InlineData(16000, 16000, 99)]
    public void ResampleAll_WhenAnyLength_ThenOutputCoversSameDuration(int inputRate, int outputRate, int length)
    {
        var resampled = PolyphaseResampler.ResampleAll(new float[length], inputRate, outputRate);

        Assert.Equal((int)Math.Ceiling((double)length * outputRate / inputRate), resampled.Length);
    }

    [Fact]
    public void ResampleAll_WhenRatesEqual_ThenPassesSamplesThroughUnchanged()
    {
        var input = Signals.Noise(5000, seed: 3);

        var resampled = PolyphaseResampler.ResampleAll(input, 16000, 16000);

        Assert.Equal(input, resampled);
    }

    [Theory]
    [InlineData(48000, 16000)]
    [InlineData(22050, 48000)]
    [InlineData(16000, 22050)]
    public void ResampleAll_WhenConstantInput_ThenUnitGainOnEveryPhase(int inputRate, int outputRate)
    {
        var input = new float[inputRate / 4];
        Array.Fill(input, 0.25f);

        var resampled = PolyphaseResampler.ResampleAll(input, inputRate, outputRate);

        foreach (var sample in Steady(resampled, outputRate))
        {
            Assert.Equal(0.25f, sample, 1e-5f);
        }
    }

    [Fact]
    public void ResampleAll_WhenEmpty_ThenEmpty()
    {
        Assert.Empty(PolyphaseResampler.ResampleAll([], 48000, 16000));
    }

    /// <summary>The middle of a resampled signal, clear of the filter's lead-in and tail (10 ms each side is plenty).</summary>
    private static ReadOnlySpan<float> Steady(float[] signal, int rate)
    {
        var margin = rate / 50;
        return signal.AsSpan(margin, signal.Length - (2 * margin));
    }
}
