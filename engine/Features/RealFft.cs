namespace StepAudio.Engine.Features;

/// <summary>
/// Forward FFT of a real, even-length frame, in float64, with every table computed once.
/// </summary>
/// <remarks>
/// Neither the engine's packages (System.Numerics.Tensors has no FFT) nor the BCL ship one, so
/// this is our own. One mixed-radix complex FFT (radices 4, 2, 3, 5 and a generic odd radix)
/// serves both front-ends: Kaldi's 512-point frames and Whisper's 400-point frames, which a
/// radix-2 transform cannot do without zero padding (that would change the spectrum). A real
/// input of length N is packed into a complex sequence of N/2 and unpacked with one twiddle
/// pass, halving the work. Float64 throughout so the spectra are exact to well below the
/// float32 the features are stored in.
/// </remarks>
internal sealed class RealFft
{
    private readonly int _size;
    private readonly int _half;
    private readonly int[] _factors;          // pairs: radix, remaining length
    private readonly double[] _twiddleRe;     // exp(-2 pi i k / half), k < half
    private readonly double[] _twiddleIm;
    private readonly double[] _unpackRe;      // exp(-2 pi i k / size), k <= half
    private readonly double[] _unpackIm;
    private readonly double[] _re;            // packed input, then the complex spectrum
    private readonly double[] _im;
    private readonly double[] _outRe;
    private readonly double[] _outIm;
    private readonly double[] _scratchRe;
    private readonly double[] _scratchIm;

    /// <summary>Plans a transform of <paramref name="size"/> real samples (even, at least 4).</summary>
    public RealFft(int size)
    {
        if (size < 4 || size % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The real FFT length must be even and at least 4.");
        }

        _size = size;
        _half = size / 2;
        _factors = Factorise(_half);
        _twiddleRe = new double[_half];
        _twiddleIm = new double[_half];
        for (var k = 0; k < _half; k++)
        {
            var angle = -2.0 * Math.PI * k / _half;
            _twiddleRe[k] = Math.Cos(angle);
            _twiddleIm[k] = Math.Sin(angle);
        }

        _unpackRe = new double[_half + 1];
        _unpackIm = new double[_half + 1];
        for (var k = 0; k <= _half; k++)
        {
            var angle = -2.0 * Math.PI * k / size;
            _unpackRe[k] = Math.Cos(angle);
            _unpackIm[k] = Math.Sin(angle);
        }

        _re = new double[_half];
        _im = new double[_half];
        _outRe = new double[_half];
        _outIm = new double[_half];
        var maxRadix = 0;
        for (var i = 0; i < _factors.Length; i += 2)
        {
            maxRadix = Math.Max(maxRadix, _factors[i]);
        }

        _scratchRe = new double[maxRadix];
        _scratchIm = new double[maxRadix];
    }

    /// <summary>The number of real input samples.</summary>
    public int Size => _size;

    /// <summary>The number of output bins, size/2 + 1.</summary>
    public int BinCount => _half + 1;

    /// <summary>Writes |X[k]|^2 for k = 0..size/2 of the real frame <paramref name="frame"/>.</summary>
    public void PowerSpectrum(ReadOnlySpan<double> frame, Span<double> power)
    {
        if (frame.Length != _size)
        {
            throw new ArgumentException($"Expected {_size} samples, got {frame.Length}.", nameof(frame));
        }

        if (power.Length < _half + 1)
        {
            throw new ArgumentException($"Expected room for {_half + 1} bins, got {power.Length}.", nameof(power));
        }

        for (var n = 0; n < _half; n++)
        {
            _re[n] = frame[2 * n];
            _im[n] = frame[(2 * n) + 1];
        }

        Transform(_outRe, _outIm, 0, 0, 1, 0);

        // Unpack: X[k] = E[k] + W^k O[k], with E and O the spectra of the even and odd samples.
        var zr = _outRe;
        var zi = _outIm;
        power[0] = Square(zr[0] + zi[0]);
        power[_half] = Square(zr[0] - zi[0]);
        for (var k = 1; k < _half; k++)
        {
            var cr = zr[_half - k];
            var ci = -zi[_half - k];
            var er = 0.5 * (zr[k] + cr);
            var ei = 0.5 * (zi[k] + ci);
            var dr = 0.5 * (zr[k] - cr);
            var di = 0.5 * (zi[k] - ci);

            // O[k] = (Z[k] - conj Z[half-k]) / (2i) = (di, -dr)
            var or = di;
            var oi = -dr;
            var wr = _unpackRe[k];
            var wi = _unpackIm[k];
            var xr = er + (wr * or) - (wi * oi);
            var xi = ei + (wr * oi) + (wi * or);
            power[k] = (xr * xr) + (xi * xi);
        }
    }

    private static double Square(double x) => x * x;

    // Decimation in time, recursive over the factor list, writing in place into out (kissfft's shape).
    private void Transform(double[] outRe, double[] outIm, int outOffset, int inOffset, int stride, int factorIndex)
    {
        var radix = _factors[factorIndex];
        var m = _factors[factorIndex + 1];
        var end = outOffset + (radix * m);
        if (m == 1)
        {
            var input = inOffset;
            for (var o = outOffset; o < end; o++)
            {
                outRe[o] = _re[input];
                outIm[o] = _im[input];
                input += stride;
            }
        }
        else
        {
            var input = inOffset;
            for (var o = outOffset; o < end; o += m)
            {
                Transform(outRe, outIm, o, input, stride * radix, factorIndex + 2);
                input += stride;
            }
        }

        Butterfly(outRe, outIm, outOffset, stride, m, radix);
    }

    private void Butterfly(double[] re, double[] im, int offset, int stride, int m, int radix)
    {
        if (radix == 2)
        {
            for (var u = 0; u < m; u++)
            {
                var a = offset + u;
                var b = a + m;
                var t = u * stride;
                var tr = (re[b] * _twiddleRe[t]) - (im[b] * _twiddleIm[t]);
                var ti = (re[b] * _twiddleIm[t]) + (im[b] * _twiddleRe[t]);
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }

            return;
        }

        if (radix == 4)
        {
            Butterfly4(re, im, offset, stride, m);
            return;
        }

        if (radix == 5)
        {
            Butterfly5(re, im, offset, stride, m);
            return;
        }

        // Generic radix: a direct DFT of the radix points after the twiddle multiplication.
        var n = _half;
        for (var u = 0; u < m; u++)
        {
            var k = offset + u;
            for (var q = 0; q < radix; q++)
            {
                _scratchRe[q] = re[k];
                _scratchIm[q] = im[k];
                k += m;
            }

            k = u;
            for (var q1 = 0; q1 < radix; q1++)
            {
                var accRe = _scratchRe[0];
                var accIm = _scratchIm[0];
                var twiddleIndex = 0;
                for (var q = 1; q < radix; q++)
                {
                    twiddleIndex += stride * k;
                    if (twiddleIndex >= n)
                    {
                        twiddleIndex -= n;
                    }
                    var wr = _twiddleRe[twiddleIndex];
                    var wi = _twiddleIm[twiddleIndex];
                    accRe += (_scratchRe[q] * wr) - (_scratchIm[q] * wi);
                    accIm += (_scratchRe[q] * wi) + (_scratchIm[q] * wr);
                }

                re[offset + k] = accRe;
                im[offset + k] = accIm;
                k += m;
            }
        }
    }

    private static int[] Factorise(int n)
    {
        var factors = new List<int>();
        var remaining = n;
        var p = 4;
        while (remaining > 1)
        {
            while (remaining % p != 0)
            {
                p = p switch
                {
                    4 => 2,
                    2 => 3,
                    _ => p + 2,
                };
                if (p * p > remaining)
                {
                    p = remaining;
                }
            }

            remaining /= p;
            factors.Add(p);
            factors.Add(remaining);
        }

        if (factors.Count == 0)
        {
            factors.Add(1);
            factors.Add(1);
        }

        return [.. factors];
    }

    // The specialised radix-4 and radix-5 butterflies (the factors of 256 and 200): the generic
    // radix path costs O(radix^2) twiddle products per point and dominated the 400-point frames.
    private void Butterfly4(double[] re, double[] im, int offset, int stride, int m)
    {
        var twRe = _twiddleRe;
        var twIm = _twiddleIm;
        for (var u = 0; u < m; u++)
        {
            var a0 = offset + u;
            var a1 = a0 + m;
            var a2 = a1 + m;
            var a3 = a2 + m;
            var t1 = u * stride;
            var t2 = 2 * t1;
            var t3 = 3 * t1;
            var s0r = (re[a1] * twRe[t1]) - (im[a1] * twIm[t1]);
            var s0i = (re[a1] * twIm[t1]) + (im[a1] * twRe[t1]);
            var s1r = (re[a2] * twRe[t2]) - (im[a2] * twIm[t2]);
            var s1i = (re[a2] * twIm[t2]) + (im[a2] * twRe[t2]);
            var s2r = (re[a3] * twRe[t3]) - (im[a3] * twIm[t3]);
            var s2i = (re[a3] * twIm[t3]) + (im[a3] * twRe[t3]);
            var s5r = re[a0] - s1r;
            var s5i = im[a0] - s1i;
            var f0r = re[a0] + s1r;
            var f0i = im[a0] + s1i;
            var s3r = s0r + s2r;
            var s3i = s0i + s2i;
            var s4r = s0r - s2r;
            var s4i = s0i - s2i;
            re[a2] = f0r - s3r;
            im[a2] = f0i - s3i;
            re[a0] = f0r + s3r;
            im[a0] = f0i + s3i;
            re[a1] = s5r + s4i;
            im[a1] = s5i - s4r;
            re[a3] = s5r - s4i;
            im[a3] = s5i + s4r;
        }
    }

    private void Butterfly5(double[] re, double[] im, int offset, int stride, int m)
    {
        var twRe = _twiddleRe;
        var twIm = _twiddleIm;
        var yaR = twRe[stride * m];
        var yaI = twIm[stride * m];
        var ybR = twRe[2 * stride * m];
        var ybI = twIm[2 * stride * m];
        for (var u = 0; u < m; u++)
        {
            var a0 = offset + u;
            var a1 = a0 + m;
            var a2 = a1 + m;
            var a3 = a2 + m;
            var a4 = a3 + m;
            var t1 = u * stride;
            var t2 = 2 * t1;
            var t3 = 3 * t1;
            var t4 = 4 * t1;
            var s0r = re[a0];
            var s0i = im[a0];
            var s1r = (re[a1] * twRe[t1]) - (im[a1] * twIm[t1]);
            var s1i = (re[a1] * twIm[t1]) + (im[a1] * twRe[t1]);
            var s2r = (re[a2] * twRe[t2]) - (im[a2] * twIm[t2]);
            var s2i = (re[a2] * twIm[t2]) + (im[a2] * twRe[t2]);
            var s3r = (re[a3] * twRe[t3]) - (im[a3] * twIm[t3]);
            var s3i = (re[a3] * twIm[t3]) + (im[a3] * twRe[t3]);
            var s4r = (re[a4] * twRe[t4]) - (im[a4] * twIm[t4]);
            var s4i = (re[a4] * twIm[t4]) + (im[a4] * twRe[t4]);
            var s7r = s1r + s4r;
            var s7i = s1i + s4i;
            var s10r = s1r - s4r;
            var s10i = s1i - s4i;
            var s8r = s2r + s3r;
            var s8i = s2i + s3i;
            var s9r = s2r - s3r;
            var s9i = s2i - s3i;
            re[a0] = s0r + s7r + s8r;
            im[a0] = s0i + s7i + s8i;
            var s5r = s0r + (s7r * yaR) + (s8r * ybR);
            var s5i = s0i + (s7i * yaR) + (s8i * ybR);
            var s6r = (s10i * yaI) + (s9i * ybI);
            var s6i = -((s10r * yaI) + (s9r * ybI));
            re[a1] = s5r - s6r;
            im[a1] = s5i - s6i;
            re[a4] = s5r + s6r;
            im[a4] = s5i + s6i;
            var s11r = s0r + (s7r * ybR) + (s8r * yaR);
            var s11i = s0i + (s7i * ybR) + (s8i * yaR);
            var s12r = -(s10i * ybI) + (s9i * yaI);
            var s12i = (s10r * ybI) - (s9r * yaI);
            re[a2] = s11r + s12r;
            im[a2] = s11i + s12i;
            re[a3] = s11r - s12r;
            im[a3] = s11i - s12i;
        }
    }
}
