using System.ComponentModel.DataAnnotations;
using StepAudio.Engine.Audio;

namespace StepAudio.Engine.Features;

/// <summary>The analysis window of a Kaldi fbank frame.</summary>
public enum KaldiWindowType
{
    /// <summary>Symmetric Hamming, 0.54 - 0.46 cos(2 pi n / (N - 1)) (Paraformer's front-end).</summary>
    Hamming,

    /// <summary>Kaldi's default: a symmetric Hann window raised to 0.85 (CAM++'s front-end).</summary>
    Povey,
}

/// <summary>
/// Options of <see cref="KaldiFbank"/>, named after torchaudio.compliance.kaldi.fbank's. The
/// defaults are the vq02 (Paraformer) front-end of STEP-AUDIO.md section 2.
/// </summary>
/// <remarks>
/// There is no dither option: dither adds random noise, and the device must produce the same
/// tokens for the same audio, so it is always 0 here (the reference model's config may say
/// otherwise; the difference is noise at the level of one 16-bit step).
/// </remarks>
public sealed class KaldiFbankOptions
{
    /// <summary>Sampling rate of the input in Hz.</summary>
    [Range(8000, 48000)]
    public int SampleRate { get; set; } = PipelineAudio.SampleRate;

    /// <summary>Number of triangular mel filters.</summary>
    [Range(1, 256)]
    public int MelBins { get; set; } = 80;

    /// <summary>Frame length in milliseconds.</summary>
    [Range(1.0, 100.0)]
    public double FrameLengthMs { get; set; } = 25.0;

    /// <summary>Frame shift in milliseconds.</summary>
    [Range(1.0, 100.0)]
    public double FrameShiftMs { get; set; } = 10.0;

    /// <summary>The analysis window.</summary>
    public KaldiWindowType Window { get; set; } = KaldiWindowType.Hamming;

    /// <summary>Pre-emphasis coefficient.</summary>
    [Range(0.0, 1.0)]
    public double Preemphasis { get; set; } = 0.97;

    /// <summary>Subtract each frame's mean before pre-emphasis.</summary>
    public bool RemoveDcOffset { get; set; } = true;

    /// <summary>Lowest filter edge in Hz.</summary>
    [Range(0.0, 24000.0)]
    public double LowFrequency { get; set; } = 20.0;

    /// <summary>Highest filter edge in Hz; 0 or negative is relative to the Nyquist frequency.</summary>
    [Range(-24000.0, 24000.0)]
    public double HighFrequency { get; set; }

    /// <summary>
    /// Multiplies every input sample before analysis. Paraformer expects 16-bit scale (2^15);
    /// CAM++ takes the waveform as it is (1.0).
    /// </summary>
    [Range(1e-6, 1e9)]
    public double InputScale { get; set; } = 32768.0;

    /// <summary>Frame lengths in samples, the FFT size and the mel edges, checked together.</summary>
    internal (int FrameLength, int FrameShift, int FftSize, double HighHz) Resolve()
    {
        var frameLength = (int)(SampleRate * FrameLengthMs / 1000.0);
        var frameShift = (int)(SampleRate * FrameShiftMs / 1000.0);
        if (frameLength < 2 || frameShift < 1)
        {
            throw new ArgumentException($"Kaldi fbank: frame length {frameLength} and shift {frameShift} samples are too short.");
        }

        // Kaldi rounds the padded window up to a power of two (round_to_power_of_two).
        var fftSize = 1;
        while (fftSize < frameLength)
        {
            fftSize <<= 1;
        }

        var nyquist = SampleRate / 2.0;
        var high = HighFrequency <= 0 ? nyquist + HighFrequency : HighFrequency;
        if (LowFrequency < 0 || high > nyquist || LowFrequency >= high)
        {
            throw new ArgumentException($"Kaldi fbank: bad mel range {LowFrequency}..{high} Hz for a {SampleRate} Hz input.");
        }

        return (frameLength, frameShift, Math.Max(fftSize, 4), high);
    }
}
