using StepAudio.Engine.Features;

namespace StepAudio.Engine.Voice;

/// <summary>
/// The flow's prompt mel (STEP-AUDIO.md section 5): 80 Slaney mel bins from 0 to 8 kHz over a
/// 1024-point periodic Hann STFT, hop 256, not centred but reflect-padded by 384 samples on each
/// side, magnitude <c>sqrt(re^2 + im^2 + 1e-9)</c>, natural log floored at 1e-5. Output is
/// frame-major <c>[frames * 80]</c>, as <see cref="Vocoder.SpeakerPrompt.Mel"/> expects.
/// </summary>
internal sealed class PromptMelSpectrogram
{
    /// <summary>Mel bins.</summary>
    public const int Bins = 80;

    private const int FftSize = 1024;
    private const int Pad = (FftSize - 256) / 2;

    private readonly int _hop;
    private readonly RealFft _fft = new(FftSize);
    private readonly MelFilterBank _mel;
    private readonly double[] _window = new double[FftSize];

    /// <param name="sampleRate">The prompt's rate (22050 for the v1 vocoder).</param>
    /// <param name="hop">Samples per mel frame (256 for v1).</param>
    public PromptMelSpectrogram(int sampleRate = 22050, int hop = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hop);
        _hop = hop;
        _mel = MelFilterBank.Slaney(Bins, FftSize, sampleRate, 0, 8000);
        for (var n = 0; n < FftSize; n++)
        {
            _window[n] = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / FftSize));
        }
    }

    /// <summary>Computes the log mel of a whole prompt; returns the frames and their count.</summary>
    public (float[] Mel, int Frames) Compute(ReadOnlySpan<float> samples)
    {
        if (samples.Length <= Pad)
        {
            throw new ArgumentException($"A speaker prompt needs more than {Pad} samples; got {samples.Length}.", nameof(samples));
        }

        var padded = new double[samples.Length + (2 * Pad)];
        for (var i = 0; i < padded.Length; i++)
        {
            padded[i] = samples[Reflect(i - Pad, samples.Length)];
        }

        var frames = 1 + ((padded.Length - FftSize) / _hop);
        var mel = new float[frames * Bins];
        var frame = new double[FftSize];
        var power = new double[_fft.BinCount];
        var energies = new double[Bins];
        for (var t = 0; t < frames; t++)
        {
            for (var n = 0; n < FftSize; n++)
            {
                frame[n] = padded[(t * _hop) + n] * _window[n];
            }

            _fft.PowerSpectrum(frame, power);
            for (var k = 0; k < power.Length; k++)
            {
                power[k] = Math.Sqrt(power[k] + 1e-9);
            }

            _mel.Apply(power, energies);
            for (var b = 0; b < Bins; b++)
            {
                mel[(t * Bins) + b] = (float)Math.Log(Math.Max(energies[b], 1e-5));
            }
        }

        return (mel, frames);
    }

    // numpy/torch "reflect": the edge sample is not repeated.
    private static int Reflect(int index, int length)
    {
        if (index < 0)
        {
            return -index;
        }

        return index >= length ? (2 * (length - 1)) - index : index;
    }
}
