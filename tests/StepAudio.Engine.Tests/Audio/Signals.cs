namespace StepAudio.Engine.Tests.Audio;

/// <summary>Test signals and the measurements the resampler tests make on them.</summary>
internal static class Signals
{
    public static float[] Tone(double frequency, int sampleRate, int count, double amplitude = 0.5)
    {
        var tone = new float[count];
        for (var i = 0; i < count; i++)
        {
            tone[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / sampleRate));
        }

        return tone;
    }

    public static float[] Noise(int count, int seed, double amplitude = 0.5)
    {
        var random = new Random(seed);
        var noise = new float[count];
        for (var i = 0; i < count; i++)
        {
            noise[i] = (float)(amplitude * ((2 * random.NextDouble()) - 1));
        }

        return noise;
    }

    public static double Rms(ReadOnlySpan<float> signal)
    {
        var sum = 0.0;
        foreach (var s in signal)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / signal.Length);
    }

    public static double Decibels(double ratio) => 20 * Math.Log10(ratio);

    /// <summary>Frequency from the spacing of upward zero crossings, interpolated between samples.</summary>
    public static double ZeroCrossingFrequency(ReadOnlySpan<float> signal, int sampleRate)
    {
        double first = -1, last = -1;
        var crossings = 0;
        for (var i = 1; i < signal.Length; i++)
        {
            if (signal[i - 1] < 0 && signal[i] >= 0)
            {
                var at = i - 1 + (signal[i - 1] / (double)(signal[i - 1] - signal[i]));
                if (first < 0)
                {
                    first = at;
                }
                else
                {
                    crossings++;
                }

                last = at;
            }
        }

        return crossings * (double)sampleRate / (last - first);
    }

    public static int IndexOfPeak(ReadOnlySpan<float> signal)
    {
        var best = 0;
        for (var i = 1; i < signal.Length; i++)
        {
            if (Math.Abs(signal[i]) > Math.Abs(signal[best]))
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Amplitude of one frequency, by a single-bin DFT over the whole signal.</summary>
    public static double ToneAmplitude(ReadOnlySpan<float> signal, double frequency, int sampleRate)
    {
        double re = 0, im = 0;
        for (var i = 0; i < signal.Length; i++)
        {
            var angle = 2 * Math.PI * frequency * i / sampleRate;
            re += signal[i] * Math.Cos(angle);
            im += signal[i] * Math.Sin(angle);
        }

        return 2 * Math.Sqrt((re * re) + (im * im)) / signal.Length;
    }
}
