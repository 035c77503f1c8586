using System.Numerics.Tensors;

namespace StepAudio.Engine.Features;

/// <summary>
/// The input conditioning both tokenizers share (STEP-AUDIO.md section 1): mix to mono and peak
/// normalisation <c>x / max(max|x|, 0.01) * 0.999</c>, in float32 in that order of operations.
/// Resampling to 16 kHz is the caller's (StepAudio.Engine.Audio.PolyphaseResampler).
/// </summary>
public static class AudioConditioner
{
    /// <summary>Peaks below this are treated as this, so near-silence is not blown up.</summary>
    public const float PeakFloor = 0.01f;

    /// <summary>The normalised peak.</summary>
    public const float Headroom = 0.999f;

    /// <summary>Mean of the channels of an interleaved buffer into <paramref name="mono"/>.</summary>
    public static void MixToMono(ReadOnlySpan<float> interleaved, int channels, Span<float> mono)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (interleaved.Length % channels != 0)
        {
            throw new ArgumentException($"{interleaved.Length} samples are not whole frames of {channels} channels.", nameof(interleaved));
        }

        var frames = interleaved.Length / channels;
        if (mono.Length < frames)
        {
            throw new ArgumentException($"Room for {frames} samples is needed, got {mono.Length}.", nameof(mono));
        }

        if (channels == 1)
        {
            interleaved.CopyTo(mono);
            return;
        }

        for (var f = 0; f < frames; f++)
        {
            var sum = 0f;
            var frame = interleaved.Slice(f * channels, channels);
            for (var c = 0; c < channels; c++)
            {
                sum += frame[c];
            }

            mono[f] = sum / channels;
        }
    }

    /// <summary>max|x| (0 for an empty span).</summary>
    public static float Peak(ReadOnlySpan<float> samples) =>
        samples.IsEmpty ? 0f : Math.Abs(TensorPrimitives.MaxMagnitude(samples));

    /// <summary>The divisor the normalisation uses for a signal whose peak is <paramref name="peak"/>.</summary>
    public static float Divisor(float peak) => Math.Max(peak, PeakFloor);

    /// <summary>Normalises <paramref name="source"/> by its own peak.</summary>
    public static void PeakNormalise(ReadOnlySpan<float> source, Span<float> destination) =>
        Normalise(source, Divisor(Peak(source)), destination);

    /// <summary>
    /// <c>x / divisor * 0.999</c>: the streaming tokenizer normalises with the peak so far and
    /// redoes the work when the peak rises.
    /// </summary>
    public static void Normalise(ReadOnlySpan<float> source, float divisor, Span<float> destination)
    {
        if (!(divisor >= PeakFloor) || !float.IsFinite(divisor))
        {
            throw new ArgumentOutOfRangeException(nameof(divisor), divisor, $"The divisor must be finite and at least {PeakFloor}.");
        }

        TensorPrimitives.Divide(source, divisor, destination);
        TensorPrimitives.Multiply(destination[..source.Length], Headroom, destination);
    }
}
