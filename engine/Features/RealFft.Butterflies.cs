namespace StepAudio.Engine.Features;

// The specialised radix-4 and radix-5 butterflies (the factors of 256 and 200): the generic
// radix path costs O(radix^2) twiddle products per point and dominated the 400-point frames.
public sealed partial class RealFft
{
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
