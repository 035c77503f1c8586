using System.Buffers.Binary;

namespace StepAudio.Engine.Audio;

/// <summary>Converts between little-endian WAV sample bytes and floats in [-1, 1].</summary>
internal static class WavSampleCodec
{
    private const float Pcm16Scale = 32768f;
    private const float Pcm24Scale = 8388608f;
    private const double Pcm32Scale = 2147483648d;

    public static int BytesPerSample(WavSampleFormat format) => format switch
    {
        WavSampleFormat.Pcm16 => 2,
        WavSampleFormat.Pcm24 => 3,
        WavSampleFormat.Pcm32 => 4,
        WavSampleFormat.Float32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown WAV sample format."),
    };

    /// <summary>Decodes <c>destination.Length</c> samples. Float data is clamped to [-1, 1] and NaN becomes silence,
    /// so every decoded buffer keeps the [-1, 1] promise downstream stages rely on.</summary>
    public static void Decode(ReadOnlySpan<byte> source, WavSampleFormat format, Span<float> destination)
    {
        switch (format)
        {
            case WavSampleFormat.Pcm16:
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = BinaryPrimitives.ReadInt16LittleEndian(source[(2 * i)..]) / Pcm16Scale;
                }

                break;
            case WavSampleFormat.Pcm24:
                for (int i = 0, b = 0; i < destination.Length; i++, b += 3)
                {
                    // Put the three bytes in the top of an int so the arithmetic shift sign-extends them.
                    var value = (source[b] << 8) | (source[b + 1] << 16) | (source[b + 2] << 24);
                    destination[i] = (value >> 8) / Pcm24Scale;
                }

                break;
            case WavSampleFormat.Pcm32:
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)(BinaryPrimitives.ReadInt32LittleEndian(source[(4 * i)..]) / Pcm32Scale);
                }

                break;
            case WavSampleFormat.Float32:
                for (var i = 0; i < destination.Length; i++)
                {
                    var value = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                    destination[i] = float.IsNaN(value) ? 0f : Math.Clamp(value, -1f, 1f);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown WAV sample format.");
        }
    }

    /// <summary>Encodes samples with round-to-nearest and clipping for the integer formats (NaN encodes as 0).</summary>
    public static void Encode(ReadOnlySpan<float> source, WavSampleFormat format, Span<byte> destination)
    {
        switch (format)
        {
            case WavSampleFormat.Pcm16:
                for (var i = 0; i < source.Length; i++)
                {
                    var value = (short)Quantize(source[i], Pcm16Scale, short.MinValue, short.MaxValue);
                    BinaryPrimitives.WriteInt16LittleEndian(destination[(2 * i)..], value);
                }

                break;
            case WavSampleFormat.Pcm24:
                for (int i = 0, b = 0; i < source.Length; i++, b += 3)
                {
                    var value = (int)Quantize(source[i], Pcm24Scale, -8388608, 8388607);
                    destination[b] = (byte)value;
                    destination[b + 1] = (byte)(value >> 8);
                    destination[b + 2] = (byte)(value >> 16);
                }

                break;
            case WavSampleFormat.Pcm32:
                for (var i = 0; i < source.Length; i++)
                {
                    var value = (int)Quantize(source[i], Pcm32Scale, int.MinValue, int.MaxValue);
                    BinaryPrimitives.WriteInt32LittleEndian(destination[(4 * i)..], value);
                }

                break;
            case WavSampleFormat.Float32:
                for (var i = 0; i < source.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], source[i]);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown WAV sample format.");
        }
    }

    private static double Quantize(float sample, double scale, double min, double max)
    {
        // Double keeps 32-bit PCM exact: a float times 2^31 does not round, and the clamp happens before the cast.
        return float.IsNaN(sample) ? 0d : Math.Clamp(Math.Round(sample * scale), min, max);
    }
}
