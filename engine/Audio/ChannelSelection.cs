using System.Numerics;

namespace StepAudio.Engine.Audio;

/// <summary>How the microphone array's channels become the one channel the pipeline listens to.</summary>
public enum ChannelSelectionMode
{
    /// <summary>The mean of all channels.</summary>
    Mix,

    /// <summary>One channel.</summary>
    Channel,

    /// <summary>The mean of a chosen set of channels.</summary>
    Channels,

    /// <summary>A delay-and-sum beam toward a direction.</summary>
    Beam,
}

/// <summary>
/// Turns interleaved multi-channel frames into mono by one of the <see cref="ChannelSelectionMode"/>s. Streaming,
/// allocation-free per call; not thread-safe (the beam keeps history).
/// </summary>
public sealed class ChannelSelection
{
    private readonly int[] _picked;
    private readonly DelayAndSumBeamformer? _beam;

    private ChannelSelection(ChannelSelectionMode mode, int channels, int[] picked, DelayAndSumBeamformer? beam)
    {
        Mode = mode;
        InputChannels = channels;
        _picked = picked;
        _beam = beam;
    }

    public ChannelSelectionMode Mode { get; }

    public int InputChannels { get; }

    /// <summary>Frames the output lags the input by (non-zero only for a beam).</summary>
    public int LatencyFrames => _beam?.LatencyFrames ?? 0;

    /// <summary>The mean of all <paramref name="channels"/>.</summary>
    public static ChannelSelection Mix(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        return new ChannelSelection(ChannelSelectionMode.Mix, channels, [], null);
    }

    /// <summary>Channel <paramref name="channel"/> (zero-based) of <paramref name="channels"/>.</summary>
    public static ChannelSelection Channel(int channels, int channel)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        CheckChannel(channels, channel, nameof(channel));
        return new ChannelSelection(ChannelSelectionMode.Channel, channels, [channel], null);
    }

    /// <summary>The mean of the listed (zero-based, distinct) channels.</summary>
    public static ChannelSelection Channels(int channels, IReadOnlyList<int> selected)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentNullException.ThrowIfNull(selected);
        if (selected.Count == 0)
        {
            throw new ArgumentException("Select at least one channel.", nameof(selected));
        }

        var picked = new int[selected.Count];
        for (var i = 0; i < picked.Length; i++)
        {
            CheckChannel(channels, selected[i], nameof(selected));
            if (Array.IndexOf(picked, selected[i], 0, i) >= 0)
            {
                throw new ArgumentException($"Channel {selected[i]} is selected twice.", nameof(selected));
            }

            picked[i] = selected[i];
        }

        return new ChannelSelection(ChannelSelectionMode.Channels, channels, picked, null);
    }

    /// <summary>A delay-and-sum beam; the microphone count sets the channel count.</summary>
    public static ChannelSelection Beam(DelayAndSumBeamformer beam)
    {
        ArgumentNullException.ThrowIfNull(beam);
        return new ChannelSelection(ChannelSelectionMode.Beam, beam.Channels, [], beam);
    }

    /// <summary>Builds the selection the options describe for an input of <paramref name="channels"/> at <paramref name="sampleRate"/>.</summary>
    /// <exception cref="ArgumentException">The options do not fit the input (a channel out of range, positions for a different count).</exception>
    public static ChannelSelection FromOptions(ChannelSelectionOptions options, int channels, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (options.Mode)
        {
            case ChannelSelectionMode.Mix:
                return Mix(channels);
            case ChannelSelectionMode.Channel:
                return Channel(channels, options.Channel);
            case ChannelSelectionMode.Channels:
                return Channels(channels, options.SelectedChannels);
            case ChannelSelectionMode.Beam:
                if (options.MicrophonePositions.Count != channels)
                {
                    throw new ArgumentException(
                        $"{nameof(ChannelSelectionOptions.MicrophonePositions)} lists {options.MicrophonePositions.Count} microphones but the input has {channels} channels.",
                        nameof(options));
                }

                var positions = new Vector3[channels];
                for (var m = 0; m < channels; m++)
                {
                    var p = options.MicrophonePositions[m];
                    positions[m] = new Vector3(p.X, p.Y, p.Z);
                }

                return Beam(new DelayAndSumBeamformer(sampleRate, positions, options.AzimuthDegrees, options.ElevationDegrees, options.SpeedOfSound));
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "Unknown channel selection mode.");
        }
    }

    /// <summary>Writes one mono sample per interleaved frame; returns the frame count.</summary>
    public int Process(ReadOnlySpan<float> interleaved, Span<float> mono)
    {
        switch (Mode)
        {
            case ChannelSelectionMode.Mix:
                ChannelMixer.MixToMono(interleaved, InputChannels, mono);
                return interleaved.Length / InputChannels;
            case ChannelSelectionMode.Channel:
                ChannelMixer.ExtractChannel(interleaved, InputChannels, _picked[0], mono);
                return interleaved.Length / InputChannels;
            case ChannelSelectionMode.Channels:
                return AverageSelected(interleaved, mono);
            default:
                return _beam!.Process(interleaved, mono);
        }
    }

    private int AverageSelected(ReadOnlySpan<float> interleaved, Span<float> mono)
    {
        if (interleaved.Length % InputChannels != 0)
        {
            throw new ArgumentException($"{interleaved.Length} samples is not a whole number of {InputChannels}-channel frames.", nameof(interleaved));
        }

        var frames = interleaved.Length / InputChannels;
        if (mono.Length < frames)
        {
            throw new ArgumentException($"The mono buffer holds {mono.Length} samples but {frames} frames need writing.", nameof(mono));
        }

        var scale = 1f / _picked.Length;
        for (int i = 0, s = 0; i < frames; i++, s += InputChannels)
        {
            var sum = 0f;
            foreach (var c in _picked)
            {
                sum += interleaved[s + c];
            }

            mono[i] = sum * scale;
        }

        return frames;
    }

    private static void CheckChannel(int channels, int channel, string name)
    {
        if (channel < 0 || channel >= channels)
        {
            throw new ArgumentOutOfRangeException(name, channel, $"Channel {channel} does not exist: the input has channels 0 to {channels - 1}.");
        }
    }
}
