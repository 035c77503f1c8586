namespace StepAudio.Engine.Voice;

/// <summary>
/// Trims a speaker prompt the way the reference prepares TTS prompts (STEP-AUDIO.md section 1, Step-Audio's
/// <c>utils.trim_silence</c>): frame RMS over 512-sample frames every 128 samples (centred, zero-padded), frames
/// within 20 dB of the loudest are voiced. The kept window starts 50 ms before the voiced part (zeros are padded on
/// the left when speech starts within the first 50 ms) and is the voiced length rounded up to 240 samples plus
/// 0.27 s long: the 50 ms and the 220 ms after the voiced part are inside that 0.27 s, and the window is
/// zero-padded on the right where the recording ends first.
/// </summary>
internal static class PromptTrimmer
{
    private const int FrameLength = 512;
    private const int Hop = 128;
    private const double TopDb = 20.0;
    private const double KeepBeforeSeconds = 0.05;
    private const double KeepAfterSeconds = 0.22;
    private const int PadMultiple = 240;
    private const double Amin = 1e-5;

    /// <summary>Returns the trimmed and padded copy of <paramref name="samples"/>; all-silent input is kept whole.</summary>
    public static float[] Trim(ReadOnlySpan<float> samples, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        var (start, end) = VoicedRange(samples);
        var voicedPieces = (end - start + PadMultiple - 1) / PadMultiple;

        // The reference computes both margins in double and truncates, as here: int((0.05 + 0.22) * sr).
        var length = (voicedPieces * PadMultiple) + (int)((KeepBeforeSeconds + KeepAfterSeconds) * sampleRate);
        var from = start - (int)(KeepBeforeSeconds * sampleRate);
        var result = new float[length];
        var sourceStart = Math.Max(0, from);
        var sourceEnd = Math.Min(samples.Length, from + length);
        if (sourceEnd > sourceStart)
        {
            samples[sourceStart..sourceEnd].CopyTo(result.AsSpan(sourceStart - from));
        }

        return result;
    }

    /// <summary>The sample range of frames within 20 dB of the loudest frame (the whole input when nothing stands 20 dB above the 1e-5 floor).</summary>
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

        // librosa's amplitude_to_db floors both the frame and the reference at amin 1e-5 before comparing, so a
        // near-silent recording counts as voiced throughout.
        var threshold = Math.Max(Amin, loudest) * Math.Pow(10, -TopDb / 20);
        for (var t = 0; t < frames; t++)
        {
            rms[t] = Math.Max(Amin, rms[t]);
        }

        var first = Array.FindIndex(rms, r => r > threshold);
        var last = Array.FindLastIndex(rms, r => r > threshold);
        return (first * Hop, Math.Min(samples.Length, (last + 1) * Hop));
    }
}
