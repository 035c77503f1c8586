namespace StepAudio.Engine.Vocoder;

/// <summary>
/// The interpolation half of CosyVoice's length regulator: stretches per-token encoder vectors over mel
/// frames by linear interpolation along time (torch <c>F.interpolate(mode='linear', align_corners=False)</c>).
/// The learned conv stack that follows it lives in <c>flow_regulator.onnx</c>.
/// </summary>
internal static class LengthRegulator
{
    /// <summary>
    /// torch semantics for an output size: frame <c>i</c> reads source position
    /// <c>max((i + 0.5) * in / out - 0.5, 0)</c>.
    /// </summary>
    /// <param name="source">Frame-major <c>[inFrames, channels]</c>.</param>
    /// <param name="destination">Channel-major rows of <paramref name="destinationStride"/> floats; frames are written from <paramref name="destinationOffset"/>.</param>
    public static void Interpolate(
        ReadOnlySpan<float> source, int inFrames, int channels, Span<float> destination, int destinationStride, int destinationOffset, int outFrames)
    {
        if (outFrames == 0)
        {
            return;
        }

        Resample(source, inFrames, channels, destination, destinationStride, destinationOffset, outFrames, (double)inFrames / outFrames, 0);
    }

    /// <summary>
    /// General form: frame <c>i</c> reads source position <c>max(scale * (i + 0.5) - 0.5 + shift, 0)</c>,
    /// clamped to the last frame. Streaming uses the utterance-wide scale and a shift that places the
    /// window where it sits in the utterance, so every chunk samples the tokens where the whole pass would.
    /// </summary>
    public static void Resample(
        ReadOnlySpan<float> source,
        int inFrames,
        int channels,
        Span<float> destination,
        int destinationStride,
        int destinationOffset,
        int outFrames,
        double scale,
        double shift)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFrames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(source.Length, inFrames * channels, nameof(source));
        ArgumentOutOfRangeException.ThrowIfLessThan(destinationStride, destinationOffset + outFrames, nameof(destinationStride));
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, ((channels - 1) * destinationStride) + destinationOffset + outFrames, nameof(destination));

        for (var i = 0; i < outFrames; i++)
        {
            var position = Math.Max((scale * (i + 0.5)) - 0.5 + shift, 0);
            var index0 = Math.Min((int)position, inFrames - 1);
            var index1 = index0 < inFrames - 1 ? index0 + 1 : index0;
            var lambda1 = (float)Math.Clamp(position - index0, 0, 1);
            var lambda0 = 1f - lambda1;
            var row0 = source.Slice(index0 * channels, channels);
            var row1 = source.Slice(index1 * channels, channels);
            var column = destinationOffset + i;
            for (var c = 0; c < channels; c++)
            {
                destination[(c * destinationStride) + column] = (lambda0 * row0[c]) + (lambda1 * row1[c]);
            }
        }
    }
}
