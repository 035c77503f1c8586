using StepAudio.Engine.Voice;
using Xunit;

namespace StepAudio.Engine.Tests.Voice;

public sealed class PromptTrimmerTests
{
    private const int Rate = 16000;

    // A 0.5 s tone from 'start', silence around it: the voiced range is the tone's 128-sample frames.
    private static float[] Burst(int length, int start, int voiced = 8000)
    {
        var samples = new float[length];
        for (var n = start; n < start + voiced && n < length; n++)
        {
            samples[n] = 0.5f * MathF.Sin(2 * MathF.PI * 220 * n / Rate);
        }

        return samples;
    }

    [Fact]
    public void Trim_WhenSpeechStartsLate_ThenKeeps50MsBeforeAndTheMarginsAreInsideThe027Seconds()
    {
        var samples = Burst(3 * Rate, start: Rate);
        var (start, end) = PromptTrimmer.VoicedRange(samples);

        var trimmed = PromptTrimmer.Trim(samples, Rate);

        // trim_silence: out_len = ceil(voiced / 240) * 240 + int(0.27 * sr), starting 800 samples before the voice.
        var expectedLength = (((end - start) + 239) / 240 * 240) + 4320;
        Assert.Equal(expectedLength, trimmed.Length);
        Assert.Equal(samples.AsSpan(start - 800, expectedLength).ToArray(), trimmed);
    }

    [Fact]
    public void Trim_WhenSpeechStartsWithinTheFirst50Ms_ThenZerosArePaddedOnTheLeft()
    {
        var samples = Burst(2 * Rate, start: 320);
        var (start, _) = PromptTrimmer.VoicedRange(samples);
        Assert.InRange(start, 1, 799);

        var trimmed = PromptTrimmer.Trim(samples, Rate);

        var pad = 800 - start;
        Assert.All(trimmed.AsSpan(0, pad).ToArray(), s => Assert.Equal(0f, s));
        Assert.Equal(samples.AsSpan(0, 200).ToArray(), trimmed.AsSpan(pad, 200).ToArray());
    }

    [Fact]
    public void Trim_WhenTheRecordingEndsBeforeTheWindow_ThenTheRightIsZeroPadded()
    {
        var samples = Burst(Rate, start: Rate - 4000, voiced: 4000);
        var (start, end) = PromptTrimmer.VoicedRange(samples);

        var trimmed = PromptTrimmer.Trim(samples, Rate);

        Assert.Equal((((end - start) + 239) / 240 * 240) + 4320, trimmed.Length);
        var copied = samples.Length - (start - 800);
        Assert.Equal(samples.AsSpan(start - 800).ToArray(), trimmed.AsSpan(0, copied).ToArray());
        Assert.All(trimmed.AsSpan(copied).ToArray(), s => Assert.Equal(0f, s));
    }

    [Fact]
    public void VoicedRange_WhenTheRecordingIsBelowLibrosasFloor_ThenEverythingCountsAsVoiced()
    {
        var samples = new float[4000];
        samples[2000] = 1e-7f;

        Assert.Equal((0, 4000), PromptTrimmer.VoicedRange(samples));
    }
}
