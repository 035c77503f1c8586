using System.Numerics;

namespace StepAudio.Engine.Tests.Vocoder.Fakes;

/// <summary>The two figures the streaming design is judged by: log-mel distance to the whole-utterance output, and boundary jumps against the signal's own steps.</summary>
internal static class AudioComparison
{
    private const int MelBands = 80;

    /// <summary>
    /// Mean over frames of the RMS difference, in dB, between 80-band log-mel spectra (Hann window of
    /// 4 hops, frame step one hop, triangular HTK-scale bands from 0 Hz to Nyquist, floor 1e-5).
    /// </summary>
    public static double LogMelDistanceDb(float[] reference, float[] test, int sampleRate, int hop)
    {
        var window = 4 * hop;
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)window);
        var bank = MelBank(size, sampleRate);
        var a = new double[MelBands];
        var b = new double[MelBands];
        double total = 0;
        var count = 0;
        for (var start = 0; start + window <= Math.Min(reference.Length, test.Length); start += hop)
        {
            LogMel(reference, start, window, size, bank, a);
            LogMel(test, start, window, size, bank, b);
            double sum = 0;
            for (var m = 0; m < MelBands; m++)
            {
                var diff = 20 * (a[m] - b[m]);
                sum += diff * diff;
            }

            total += Math.Sqrt(sum / MelBands);
            count++;
        }

        return total / Math.Max(count, 1);
    }

    /// <summary>The largest ratio, over chunk boundaries, of the step across the join to the largest step within two hops either side of it.</summary>
    public static double WorstBoundaryRatio(float[] pcm, IEnumerable<int> boundaries, int hop)
    {
        double worst = 0;
        foreach (var boundary in boundaries)
        {
            worst = Math.Max(worst, Math.Abs(pcm[boundary] - pcm[boundary - 1]) / LocalStep(pcm, boundary, hop));
        }

        return worst;
    }

    /// <summary>The signal's own variation around a join: the largest sample-to-sample step within two hops, the join excluded.</summary>
    public static double LocalStep(float[] pcm, int boundary, int hop)
    {
        double local = 0;
        for (var i = Math.Max(1, boundary - (2 * hop)); i < Math.Min(pcm.Length, boundary + (2 * hop)); i++)
        {
            if (i != boundary)
            {
                local = Math.Max(local, Math.Abs(pcm[i] - pcm[i - 1]));
            }
        }

        return local;
    }

    private static void LogMel(float[] signal, int start, int window, int size, double[][] bank, double[] result)
    {
        var buffer = new Complex[size];
        for (var n = 0; n < window; n++)
        {
            var w = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / window));
            buffer[n] = new Complex(w * signal[start + n], 0);
        }

        Fft(buffer);
        for (var m = 0; m < MelBands; m++)
        {
            double energy = 0;
            var weights = bank[m];
            for (var k = 0; k < weights.Length; k++)
            {
                if (weights[k] > 0)
                {
                    energy += weights[k] * buffer[k].Magnitude;
                }
            }

            result[m] = Math.Log10(Math.Max(energy, 1e-5));
        }
    }

    private static double[][] MelBank(int size, int sampleRate)
    {
        static double Mel(double hz) => 2595 * Math.Log10(1 + (hz / 700));
        static double Hz(double mel) => 700 * (Math.Pow(10, mel / 2595) - 1);
        var bins = (size / 2) + 1;
        var top = Mel(sampleRate / 2.0);
        var edges = new double[MelBands + 2];
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = Hz(top * i / (MelBands + 1));
        }

        var bank = new double[MelBands][];
        for (var m = 0; m < MelBands; m++)
        {
            bank[m] = new double[bins];
            for (var k = 0; k < bins; k++)
            {
                var hz = k * (double)sampleRate / size;
                var rising = (hz - edges[m]) / (edges[m + 1] - edges[m]);
                var falling = (edges[m + 2] - hz) / (edges[m + 2] - edges[m + 1]);
                bank[m][k] = Math.Max(0, Math.Min(rising, falling));
            }
        }

        return bank;
    }

    /// <summary>In-place iterative radix-2 FFT.</summary>
    private static void Fft(Complex[] data)
    {
        var n = data.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            var bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1)
            {
                j ^= bit;
            }

            j ^= bit;
            if (i < j)
            {
                (data[i], data[j]) = (data[j], data[i]);
            }
        }

        for (var length = 2; length <= n; length <<= 1)
        {
            var step = Complex.FromPolarCoordinates(1, -2 * Math.PI / length);
            for (var i = 0; i < n; i += length)
            {
                var w = Complex.One;
                for (var k = 0; k < length / 2; k++)
                {
                    var even = data[i + k];
                    var odd = data[i + k + (length / 2)] * w;
                    data[i + k] = even + odd;
                    data[i + k + (length / 2)] = even - odd;
                    w *= step;
                }
            }
        }
    }
}
