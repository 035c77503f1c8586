using System.Buffers.Binary;
using StepAudio.Appliance.Audio.Alsa;
using StepAudio.Engine.Audio;

namespace StepAudio.Appliance.Tests.Audio;

/// <summary>Signals for the ALSA tests and the raw files the file plugin reads and writes.</summary>
internal static class TestSignals
{
    /// <summary>Interleaved tones, a different frequency per channel, so a swapped or shifted channel shows.</summary>
    public static float[] Tones(int frames, int channels, int rate, float amplitude = 0.5f)
    {
        var samples = new float[frames * channels];
        for (var i = 0; i < frames; i++)
        {
            for (var c = 0; c < channels; c++)
            {
                samples[(i * channels) + c] = amplitude * MathF.Sin(2 * MathF.PI * (300 + (250 * c)) * i / rate);
            }
        }

        return samples;
    }

    /// <summary>Writes the signal as a WAV in the given format and reads it back: the samples a WAV of that format holds.</summary>
    public static float[] ThroughWav(string path, float[] interleaved, int rate, int channels, WavSampleFormat format)
    {
        WavFile.Write(path, interleaved, rate, channels, format);
        var wav = WavFile.Read(path);
        Assert.Equal(channels, wav.Channels);
        return wav.Samples;
    }

    /// <summary>Raw little-endian samples as the file plugin's infile wants them.</summary>
    public static byte[] ToRaw(ReadOnlySpan<float> samples, AlsaSampleFormat format)
    {
        var bytes = new byte[samples.Length * (format == AlsaSampleFormat.S16Le ? 2 : 4)];
        for (var i = 0; i < samples.Length; i++)
        {
            switch (format)
            {
                case AlsaSampleFormat.S16Le:
                    BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), (short)Math.Clamp(Math.Round(samples[i] * 32768.0), -32768, 32767));
                    break;
                case AlsaSampleFormat.S32Le:
                    BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), (int)Math.Clamp(Math.Round(samples[i] * 2147483648.0), int.MinValue, int.MaxValue));
                    break;
                default:
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), samples[i]);
                    break;
            }
        }

        return bytes;
    }

    /// <summary>Decodes what the file plugin wrote.</summary>
    public static float[] FromRaw(ReadOnlySpan<byte> bytes, AlsaSampleFormat format)
    {
        var size = format == AlsaSampleFormat.S16Le ? 2 : 4;
        var samples = new float[bytes.Length / size];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = format switch
            {
                AlsaSampleFormat.S16Le => BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]) / 32768f,
                AlsaSampleFormat.S32Le => (float)(BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]) / 2147483648.0),
                _ => BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]),
            };
        }

        return samples;
    }

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(TimeSpan.FromSeconds(20));

    public static Task Within(this Task task) => task.WaitAsync(TimeSpan.FromSeconds(20));
}
