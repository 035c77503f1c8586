namespace StepAudio.Engine.Audio;

/// <summary>Decoded audio: interleaved float samples in [-1, 1] with the rate and layout they came with.</summary>
public sealed class WavAudio
{
    /// <summary>The most channels a WAV file may carry here (a 32-microphone array is the largest we expect).</summary>
    public const int MaxChannels = 32;

    public WavAudio(float[] samples, int sampleRate, int channels, WavSampleFormat sourceFormat)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, MaxChannels);
        if (samples.Length % channels != 0)
        {
            throw new ArgumentException(
                $"{samples.Length} samples is not a whole number of {channels}-channel frames.", nameof(samples));
        }

        Samples = samples;
        SampleRate = sampleRate;
        Channels = channels;
        SourceFormat = sourceFormat;
    }

    /// <summary>Interleaved samples: frame 0 channel 0, frame 0 channel 1, ..., frame 1 channel 0, ...</summary>
    public float[] Samples { get; }

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>Samples per channel.</summary>
    public int FrameCount => Samples.Length / Channels;

    /// <summary>The sample format of the file this audio was decoded from.</summary>
    public WavSampleFormat SourceFormat { get; }

    public TimeSpan Duration => TimeSpan.FromTicks(FrameCount * TimeSpan.TicksPerSecond / SampleRate);
}
