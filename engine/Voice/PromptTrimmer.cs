namespace StepAudio.Engine.Voice;

/// <summary>
/// Trims a speaker prompt the way the reference prepares TTS prompts (STEP-AUDIO.md section 1):
/// frame RMS over 512-sample frames every 128 samples (centred, zero-padded), frames within 20 dB
/// of the loudest are voiced; about 50 ms before and 220 ms after the voiced part are kept; the
/// result is zero-padded to a multiple of 240 samples and followed by 0.27 s of silence.
/// </summary>
public static class PromptTrimmer
{
    private const int FrameLength = 512;
    private const int Hop = 128;
    private const double TopDb = 20.0;
    private const double KeepBeforeSeconds = 0.05;
    private const double KeepAfterSeconds = 0.22;
    private const int PadMultiple = 240;
    private const double TailSeconds = 0.27;

    /// <summary>Returns the trimmed and padded copy of <paramref name="samples"/>; all-silent input is returned padded, untrimmed.</summary>
    public static float[] Trim(ReadOnlySpan<float> samples, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        var (start, end) = VoicedRange(samples);
        start = Math.Max(0, start - (int)(KeepBeforeSeconds * sampleRate));
        end = Math.Min(samples.Length, end + (int)(KeepAfterSeconds * sampleRate));
        var kept = Math.Max(0, end - start);
        var padded = ((kept + PadMultiple - 1) / PadMultiple * PadMultiple) + (int)(TailSeconds * sampleRate);
        var result = new float[padded];
        samples.Slice(start, kept).CopyTo(result);
        return result;
    }

    /// <summary>The sample range of frames within 20 dB of the loudest frame (whole input when silent).</summary>
    public static (int Start, int End) VoicedRange(ReadOnlySpan<float> samples)
    {
        var frames = 1 + (samples.Length / Hop);
        var rms = new double[frames];
        var loudest = 0.0;
        for (var t = 0; t < frames; t++)
        {
            var sum = 0.0;
            var from = (t * Hop) - (FrameLength / 2);
            for (var i = 0; i < FrameLength; i++)
            {
                var n = from + i;
                if (n >= 0 && n < samples.Length)
                {
                    sum += (double)samples[n] * samples[n];
                }
            }

            rms[t] = Math.Sqrt(sum / FrameLength);
            loudest = Math.Max(loudest, rms[t]);
        }

        if (loudest <= 0)
        {
            return (0, samples.Length);
        }

        var threshold = loudest * Math.Pow(10, -TopDb / 20);
        var first = Array.FindIndex(rms, r => r > threshold);
        var last = Array.FindLastIndex(rms, r => r > threshold);
        return (first * Hop, Math.Min(samples.Length, (last + 1) * Hop));
    }
}
