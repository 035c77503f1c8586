namespace StepAudio.Engine.Tests.Features;

/// <summary>
/// First-principles float64 versions of the front-ends, written from the published formulas
/// with a naive DFT, to check the engine's fast implementations against.
/// </summary>
internal static class ReferenceFeatures
{
    public static double[] NaivePowerSpectrum(double[] frame, int fftSize)
    {
        var bins = (fftSize / 2) + 1;
        var power = new double[bins];
        for (var k = 0; k < bins; k++)
        {
            double re = 0, im = 0;
            for (var n = 0; n < frame.Length; n++)
            {
                var angle = -2.0 * Math.PI * ((long)k * n % fftSize) / fftSize;
                re += frame[n] * Math.Cos(angle);
                im += frame[n] * Math.Sin(angle);
            }

            power[k] = (re * re) + (im * im);
        }

        return power;
    }

    /// <summary>torchaudio.compliance.kaldi.fbank at 16 kHz: 25/10 ms, 512 FFT, 20 Hz..Nyquist.</summary>
    public static double[][] KaldiFbank(float[] samples, double scale, bool povey, int melBins = 80)
    {
        const int length = 400, shift = 160, fft = 512;
        var frames = samples.Length < length ? 0 : 1 + ((samples.Length - length) / shift);
        double Mel(double f) => 1127.0 * Math.Log(1.0 + (f / 700.0));
        var melLow = Mel(20.0);
        var melHigh = Mel(8000.0);
        var delta = (melHigh - melLow) / (melBins + 1);
        var result = new double[frames][];
        for (var f = 0; f < frames; f++)
        {
            var x = new double[length];
            for (var i = 0; i < length; i++)
            {
                x[i] = samples[(f * shift) + i] * scale;
            }

            var mean = x.Average();
            var y = new double[length];
            for (var i = 0; i < length; i++)
            {
                var previous = i == 0 ? x[0] - mean : x[i - 1] - mean;
                var w = povey
                    ? Math.Pow(0.5 - (0.5 * Math.Cos(2 * Math.PI * i / (length - 1))), 0.85)
                    : 0.54 - (0.46 * Math.Cos(2 * Math.PI * i / (length - 1)));
                y[i] = ((x[i] - mean) - (0.97 * previous)) * w;
            }

            var power = NaivePowerSpectrum(y, fft);
            result[f] = new double[melBins];
            for (var m = 0; m < melBins; m++)
            {
                var left = melLow + (m * delta);
                var center = left + delta;
                var right = center + delta;
                double energy = 0;
                for (var k = 0; k < fft / 2; k++)
                {
                    var mel = Mel(k * 16000.0 / fft);
                    if (mel > left && mel < right)
                    {
                        var weight = mel <= center ? (mel - left) / (center - left) : (right - mel) / (right - center);
                        energy += weight * power[k];
                    }
                }

                result[f][m] = Math.Log(Math.Max(energy, 1.1920928955078125e-07));
            }
        }

        return result;
    }

    /// <summary>whisper.log_mel_spectrogram(n_mels=128) of one segment: [mel][frame].</summary>
    public static double[][] WhisperLogMel(float[] samples)
    {
        const int nfft = 400, hop = 160, mels = 128;
        var frames = samples.Length / hop;
        var padded = new double[samples.Length + nfft];
        for (var i = 0; i < padded.Length; i++)
        {
            var j = i - (nfft / 2);
            if (j < 0)
            {
                j = -j;
            }

            if (j >= samples.Length)
            {
                j = (2 * (samples.Length - 1)) - j;
            }

            padded[i] = samples[j];
        }

        static double HzToMel(double f) => f < 1000 ? f * 3.0 / 200.0 : 15.0 + (Math.Log(f / 1000.0) * 27.0 / Math.Log(6.4));
        static double MelToHz(double m) => m < 15 ? m * 200.0 / 3.0 : 1000.0 * Math.Exp((m - 15.0) * Math.Log(6.4) / 27.0);
        var edges = new double[mels + 2];
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = MelToHz(HzToMel(8000.0) * i / (mels + 1));
        }

        var logs = new double[mels][];
        for (var m = 0; m < mels; m++)
        {
            logs[m] = new double[frames];
        }

        var max = double.NegativeInfinity;
        for (var t = 0; t < frames; t++)
        {
            var frame = new double[nfft];
            for (var n = 0; n < nfft; n++)
            {
                frame[n] = padded[(t * hop) + n] * (0.5 - (0.5 * Math.Cos(2 * Math.PI * n / nfft)));
            }

            var power = NaivePowerSpectrum(frame, nfft);
            for (var m = 0; m < mels; m++)
            {
                double energy = 0;
                for (var k = 0; k < power.Length; k++)
                {
                    var hz = k * 16000.0 / nfft;
                    var rising = (hz - edges[m]) / (edges[m + 1] - edges[m]);
                    var falling = (edges[m + 2] - hz) / (edges[m + 2] - edges[m + 1]);
                    var weight = Math.Max(0, Math.Min(rising, falling)) * 2.0 / (edges[m + 2] - edges[m]);
                    energy += weight * power[k];
                }

                logs[m][t] = Math.Log10(Math.Max(energy, 1e-10));
                max = Math.Max(max, logs[m][t]);
            }
        }

        for (var m = 0; m < mels; m++)
        {
            for (var t = 0; t < frames; t++)
            {
                logs[m][t] = (Math.Max(logs[m][t], max - 8.0) + 4.0) / 4.0;
            }
        }

        return logs;
    }
}
