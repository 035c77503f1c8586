namespace StepAudio.Engine.Features;

/// <summary>
/// The resampler Step-Audio's tokenizer input goes through before both front-ends (STEP-AUDIO.md
/// section 1): a windowed sinc with a Hann-squared-cosine window, 6 zero crossings and roll-off
/// 0.99, one polyphase kernel per output phase, the input padded by the kernel's reach. Tokens of
/// a recording that is not already at 16 kHz are only the reference's tokens when it is resampled
/// exactly this way; the device's own <see cref="Audio.PolyphaseResampler"/> is better for
/// listening, not for parity. Whole buffers only (turns and prompts are tokenised as recorded).
/// </summary>
public static class ReferenceResampler
{
    private const int ZeroCrossings = 6;
    private const double Rolloff = 0.99;

    /// <summary>Resamples <paramref name="input"/> from <paramref name="inputRate"/> to <paramref name="outputRate"/>.</summary>
    public static float[] Resample(ReadOnlySpan<float> input, int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        if (inputRate == outputRate)
        {
            return input.ToArray();
        }

        var gcd = Gcd(inputRate, outputRate);
        var orig = inputRate / gcd;
        var target = outputRate / gcd;
        var (kernels, width) = Kernels(orig, target);
        var kernelLength = (2 * width) + orig;

        // Padding: width zeros before, width + orig after; one output frame of `target` samples
        // per `orig` input samples (a strided convolution).
        var padded = new float[input.Length + (2 * width) + orig];
        input.CopyTo(padded.AsSpan(width));
        var frames = ((padded.Length - kernelLength) / orig) + 1;
        var length = (int)Math.Ceiling((double)target * input.Length / orig);
        var output = new float[length];
        for (var frame = 0; frame < frames; frame++)
        {
            var window = padded.AsSpan(frame * orig, kernelLength);
            for (var phase = 0; phase < target; phase++)
            {
                var index = (frame * target) + phase;
                if (index >= length)
                {
                    return output;
                }

                output[index] = Dot(window, kernels.AsSpan(phase * kernelLength, kernelLength));
            }
        }

        return output;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static (float[] Kernels, int Width) Kernels(int orig, int target)
    {
        // Computed in float64 and stored as float32, as the reference builds its kernels.
        var baseFrequency = Math.Min(orig, target) * Rolloff;
        var width = (int)Math.Ceiling(ZeroCrossings * orig / baseFrequency);
        var kernelLength = (2 * width) + orig;
        var kernels = new float[target * kernelLength];
        var scale = baseFrequency / orig;
        for (var phase = 0; phase < target; phase++)
        {
            for (var k = 0; k < kernelLength; k++)
            {
                var t = ((-(double)phase / target) + ((double)(k - width) / orig)) * baseFrequency;
                t = Math.Clamp(t, -ZeroCrossings, ZeroCrossings);
                var window = Math.Cos(t * Math.PI / ZeroCrossings / 2);
                window *= window;
                t *= Math.PI;
                var sinc = t == 0 ? 1.0 : Math.Sin(t) / t;
                kernels[(phase * kernelLength) + k] = (float)(sinc * window * scale);
            }
        }

        return (kernels, width);
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
