using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>Converts between device samples (little-endian, as every target CPU is) and float samples at full scale +-1.</summary>
internal static class PcmSampleConverter
{
    private const float S16Scale = 1f / 32768f;
    private const float S32Scale = 1f / 2147483648f;

    /// <summary>Decodes <paramref name="destination"/>.Length samples from <paramref name="raw"/>.</summary>
    public static void ToFloat(ReadOnlySpan<byte> raw, AlsaSampleFormat format, Span<float> destination)
    {
        switch (format)
        {
            case AlsaSampleFormat.S16Le:
                TensorPrimitives.ConvertTruncating<short, float>(MemoryMarshal.Cast<byte, short>(raw)[..destination.Length], destination);
                TensorPrimitives.Multiply(destination, S16Scale, destination);
                break;
            case AlsaSampleFormat.S32Le:
                TensorPrimitives.ConvertTruncating<int, float>(MemoryMarshal.Cast<byte, int>(raw)[..destination.Length], destination);
                TensorPrimitives.Multiply(destination, S32Scale, destination);
                break;
            case AlsaSampleFormat.FloatLe:
                MemoryMarshal.Cast<byte, float>(raw)[..destination.Length].CopyTo(destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Not a supported ALSA sample format.");
        }
    }

    /// <summary>Encodes <paramref name="source"/> into <paramref name="raw"/>, clipping to full scale and rounding to nearest.</summary>
    public static void FromFloat(ReadOnlySpan<float> source, AlsaSampleFormat format, Span<byte> raw)
    {
        switch (format)
        {
            case AlsaSampleFormat.S16Le:
                var shorts = MemoryMarshal.Cast<byte, short>(raw);
                for (var i = 0; i < source.Length; i++)
                {
                    shorts[i] = (short)Math.Clamp(MathF.Round(source[i] * 32768f), short.MinValue, short.MaxValue);
                }

                break;
            case AlsaSampleFormat.S32Le:
                var ints = MemoryMarshal.Cast<byte, int>(raw);
                for (var i = 0; i < source.Length; i++)
                {
                    // Doubles: a float cannot hold int.MaxValue, so clamping in float would wrap at full scale.
                    ints[i] = (int)Math.Clamp(Math.Round(source[i] * 2147483648.0), int.MinValue, int.MaxValue);
                }

                break;
            case AlsaSampleFormat.FloatLe:
                // Devices differ in what they do past full scale; clip here so every format sounds the same.
                var floats = MemoryMarshal.Cast<byte, float>(raw)[..source.Length];
                TensorPrimitives.Min(source, 1f, floats);
                TensorPrimitives.Max(floats, -1f, floats);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Not a supported ALSA sample format.");
        }
    }
}
