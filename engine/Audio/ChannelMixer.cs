namespace StepAudio.Engine.Audio;

/// <summary>Turns interleaved multi-channel audio into one channel, either by averaging or by picking one.</summary>
public static class ChannelMixer
{
    /// <summary>Writes the mean of all channels of each frame into <paramref name="mono"/>.</summary>
    /// <exception cref="ArgumentException">The input is not whole frames, or <paramref name="mono"/> is shorter than the frame count.</exception>
    public static void MixToMono(ReadOnlySpan<float> interleaved, int channels, Span<float> mono)
    {
        var frames = CheckLayout(interleaved, channels, mono);
        switch (channels)
        {
            case 1:
                interleaved.CopyTo(mono);
                return;
            case 2:
                for (var i = 0; i < frames; i++)
                {
                    mono[i] = (interleaved[2 * i] + interleaved[(2 * i) + 1]) * 0.5f;
                }

                return;
            default:
                var scale = 1f / channels;
                for (int i = 0, s = 0; i < frames; i++)
                {
                    var sum = 0f;
                    for (var c = 0; c < channels; c++, s++)
                    {
                        sum += interleaved[s];
                    }

                    mono[i] = sum * scale;
                }

                return;
        }
    }

    /// <summary>Copies channel <paramref name="channel"/> (zero-based) of each frame into <paramref name="mono"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channel"/> is not one of the channels.</exception>
    public static void ExtractChannel(ReadOnlySpan<float> interleaved, int channels, int channel, Span<float> mono)
    {
        var frames = CheckLayout(interleaved, channels, mono);
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, channels);
        for (int i = 0, s = channel; i < frames; i++, s += channels)
        {
            mono[i] = interleaved[s];
        }
    }

    private static int CheckLayout(ReadOnlySpan<float> interleaved, int channels, Span<float> mono)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (interleaved.Length % channels != 0)
        {
            throw new ArgumentException(
                $"{interleaved.Length} samples is not a whole number of {channels}-channel frames.", nameof(interleaved));
        }

        var frames = interleaved.Length / channels;
        if (mono.Length < frames)
        {
            throw new ArgumentException($"The mono buffer holds {mono.Length} samples but {frames} frames need writing.", nameof(mono));
        }

        return frames;
    }
}
