namespace StepAudio.Engine.Features;

/// <summary>
/// A bank of triangular filters over a power spectrum, stored sparsely (each filter's first bin
/// and its non-zero weights). Built from the published formulas, never from embedded tables.
/// </summary>
internal sealed class MelFilterBank
{
    private readonly int[] _first;
    private readonly double[][] _weights;

    private MelFilterBank(int[] first, double[][] weights, int binCount)
    {
        _first = first;
        _weights = weights;
        BinCount = binCount;
    }

    /// <summary>Spectrum bins the bank expects.</summary>
    public int BinCount { get; }

    /// <summary>Number of filters.</summary>
    public int FilterCount => _weights.Length;

    /// <summary>Weight of filter <paramref name="filter"/> at spectrum bin <paramref name="bin"/>.</summary>
    public double Weight(int filter, int bin)
    {
        var offset = bin - _first[filter];
        var weights = _weights[filter];
        return offset >= 0 && offset < weights.Length ? weights[offset] : 0.0;
    }

    /// <summary>energies[m] = sum_k power[k] * weight[m, k].</summary>
    public void Apply(ReadOnlySpan<double> power, Span<double> energies)
    {
        for (var m = 0; m < _weights.Length; m++)
        {
            var weights = _weights[m];
            var spectrum = power.Slice(_first[m], weights.Length);
            var sum = 0.0;
            for (var k = 0; k < weights.Length; k++)
            {
                sum += spectrum[k] * weights[k];
            }

            energies[m] = sum;
        }
    }

    /// <summary>
    /// Kaldi's bank: triangles in the mel domain (mel = 1127 ln(1 + f/700)) with equally spaced
    /// edges from <paramref name="lowHz"/> to <paramref name="highHz"/>, over the FFT bins below
    /// Nyquist (the Nyquist bin gets weight 0, as in Kaldi and torchaudio).
    /// </summary>
    public static MelFilterBank Kaldi(int filters, int fftSize, int sampleRate, double lowHz, double highHz)
    {
        var fftBins = fftSize / 2;
        var binWidth = (double)sampleRate / fftSize;
        var melLow = KaldiMel(lowHz);
        var melHigh = KaldiMel(highHz);
        var delta = (melHigh - melLow) / (filters + 1);
        var dense = new double[filters, fftBins + 1];
        for (var m = 0; m < filters; m++)
        {
            var left = melLow + (m * delta);
            var center = melLow + ((m + 1.0) * delta);
            var right = melLow + ((m + 2.0) * delta);
            for (var k = 0; k < fftBins; k++)
            {
                var mel = KaldiMel(binWidth * k);
                var up = (mel - left) / (center - left);
                var down = (right - mel) / (right - center);
                dense[m, k] = Math.Max(0.0, Math.Min(up, down));
            }
        }

        return Sparse(dense);
    }

    /// <summary>
    /// librosa's default bank (htk=False, norm="slaney"): Slaney's mel scale (linear below 1 kHz,
    /// logarithmic above), triangles in Hz between mel-spaced edges, each scaled by
    /// 2 / (upper edge - lower edge). Weights are rounded to float32, as librosa returns them.
    /// </summary>
    public static MelFilterBank Slaney(int filters, int fftSize, int sampleRate, double lowHz, double highHz)
    {
        var bins = (fftSize / 2) + 1;
        var edges = new double[filters + 2];
        var melLow = SlaneyMel(lowHz);
        var melHigh = SlaneyMel(highHz);
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = SlaneyHz(melLow + ((melHigh - melLow) * i / (filters + 1)));
        }

        var dense = new double[filters, bins];
        for (var m = 0; m < filters; m++)
        {
            var lowerWidth = edges[m + 1] - edges[m];
            var upperWidth = edges[m + 2] - edges[m + 1];
            var norm = 2.0 / (edges[m + 2] - edges[m]);
            for (var k = 0; k < bins; k++)
            {
                var frequency = (double)k * sampleRate / fftSize;
                var lower = (frequency - edges[m]) / lowerWidth;
                var upper = (edges[m + 2] - frequency) / upperWidth;
                dense[m, k] = (float)(Math.Max(0.0, Math.Min(lower, upper)) * norm);
            }
        }

        return Sparse(dense);
    }

    /// <summary>Kaldi's mel scale.</summary>
    public static double KaldiMel(double hz) => 1127.0 * Math.Log(1.0 + (hz / 700.0));

    /// <summary>Slaney's mel scale (librosa.hz_to_mel with htk=False).</summary>
    public static double SlaneyMel(double hz)
    {
        const double linearStep = 200.0 / 3.0;
        const double breakHz = 1000.0;
        const double breakMel = breakHz / linearStep;
        var logStep = Math.Log(6.4) / 27.0;
        return hz >= breakHz ? breakMel + (Math.Log(hz / breakHz) / logStep) : hz / linearStep;
    }

    /// <summary>Inverse of <see cref="SlaneyMel"/>.</summary>
    public static double SlaneyHz(double mel)
    {
        const double linearStep = 200.0 / 3.0;
        const double breakHz = 1000.0;
        const double breakMel = breakHz / linearStep;
        var logStep = Math.Log(6.4) / 27.0;
        return mel >= breakMel ? breakHz * Math.Exp(logStep * (mel - breakMel)) : linearStep * mel;
    }

    private static MelFilterBank Sparse(double[,] dense)
    {
        var filters = dense.GetLength(0);
        var bins = dense.GetLength(1);
        var first = new int[filters];
        var weights = new double[filters][];
        for (var m = 0; m < filters; m++)
        {
            var start = 0;
            while (start < bins && dense[m, start] == 0.0)
            {
                start++;
            }

            var end = bins;
            while (end > start && dense[m, end - 1] == 0.0)
            {
                end--;
            }

            first[m] = Math.Min(start, bins - 1);
            weights[m] = new double[end - start];
            for (var k = start; k < end; k++)
            {
                weights[m][k - start] = dense[m, k];
            }
        }

        return new MelFilterBank(first, weights, bins);
    }
}
