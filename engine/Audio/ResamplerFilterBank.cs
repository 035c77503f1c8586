namespace StepAudio.Engine.Audio;

/// <summary>
/// The polyphase decomposition of one windowed-sinc low-pass prototype for the ratio up/down (already reduced).
/// Phase p holds the taps that produce an output at fractional input position p/up, in input order, so an output is
/// a plain dot product with a contiguous window of input.
/// </summary>
/// <remarks>
/// The window is Kaiser: its beta trades main-lobe width against stopband depth with one number, so at 16 zero
/// crossings it reaches about 80 dB while keeping the transition band narrow enough that everything from roughly
/// 1.09 times the new Nyquist up is at least that far down. Blackman-Harris is fixed at about 92 dB but its main lobe
/// is wider, which at the same length would let the transition band run well past the new Nyquist and alias.
/// </remarks>
internal sealed class ResamplerFilterBank
{
    /// <summary>Kaiser beta for about 80 dB of stopband attenuation (Kaiser's formula 0.1102 * (A - 8.7)).</summary>
    internal const double KaiserBeta = 7.857;

    /// <summary>Keeps the bank under 4 MiB; ratios that reduce to more phases than this are not worth a table.</summary>
    private const long MaxCoefficients = 1L << 20;

    public ResamplerFilterBank(int up, int down, int zeroCrossings, double rolloff)
    {
        Up = up;
        if (up == down)
        {
            // Same rate: a pure pass-through, one tap of 1 (plus the zero the window layout needs).
            HalfTaps = 1;
            Taps = 2;
            Coefficients = [1f, 0f];
            return;
        }

        // The cutoff in cycles per input sample, doubled: rolloff times the lower of the two Nyquist frequencies.
        var bandwidth = rolloff * Math.Min(1.0, (double)up / down);
        var halfWidth = zeroCrossings / bandwidth;
        HalfTaps = (int)Math.Ceiling(halfWidth);
        Taps = 2 * HalfTaps;
        if ((long)up * Taps > MaxCoefficients)
        {
            throw new ArgumentException(
                $"The rate ratio reduces to {up}/{down}, which needs {(long)up * Taps} filter coefficients (limit {MaxCoefficients}); use rates with a larger common divisor.");
        }

        Coefficients = new float[up * Taps];
        var norm = 1.0 / BesselI0(KaiserBeta);
        Span<double> phase = Taps <= 1024 ? stackalloc double[Taps] : new double[Taps];
        for (var p = 0; p < up; p++)
        {
            var sum = 0.0;
            for (var j = 0; j < Taps; j++)
            {
                // Distance in input samples from tap j to the output position (p/up past the window's centre sample).
                var x = ((double)p / up) + HalfTaps - 1 - j;
                var u = x / halfWidth;
                var window = Math.Abs(u) >= 1 ? 0 : BesselI0(KaiserBeta * Math.Sqrt(1 - (u * u))) * norm;
                phase[j] = bandwidth * Sinc(bandwidth * x) * window;
                sum += phase[j];
            }

            // Each phase sums to exactly one, so DC passes at unit gain on every phase and no phase ripple appears.
            var row = Coefficients.AsSpan(p * Taps, Taps);
            for (var j = 0; j < Taps; j++)
            {
                row[j] = (float)(phase[j] / sum);
            }
        }
    }

    /// <summary>Number of phases (the reduced upsampling factor).</summary>
    public int Up { get; }

    /// <summary>Taps per phase; always even, centred on the output position.</summary>
    public int Taps { get; }

    /// <summary>Half of <see cref="Taps"/>: how many input samples past the output position an output needs.</summary>
    public int HalfTaps { get; }

    /// <summary><see cref="Up"/> rows of <see cref="Taps"/> coefficients.</summary>
    public float[] Coefficients { get; }

    public ReadOnlySpan<float> Phase(int p) => Coefficients.AsSpan(p * Taps, Taps);

    private static double Sinc(double x) => Math.Abs(x) < 1e-12 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);

    /// <summary>Modified Bessel function of the first kind, order zero, by its power series (converges fast for beta below 20).</summary>
    private static double BesselI0(double x)
    {
        var sum = 1.0;
        var term = 1.0;
        var halfSquared = x * x / 4;
        for (var k = 1; k < 64 && term > sum * 1e-17; k++)
        {
            term *= halfSquared / ((double)k * k);
            sum += term;
        }

        return sum;
    }
}
