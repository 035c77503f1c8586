using System.Numerics.Tensors;
using StepAudio.Engine.Audio;

namespace StepAudio.Engine.Features;

/// <summary>
/// Whisper's 128-bin log-mel spectrogram (the vq06 front-end) for one segment, computed as audio
/// arrives: 16 kHz, n_fft 400, hop 160, periodic Hann, centred STFT with reflect padding, the
/// last frame dropped, power spectrum, Slaney mel bank 0..8 kHz. Frames whose window lies inside
/// the audio received so far are computed in <see cref="Accept"/>; the frames that need the
/// end's reflect padding, the log, the clamp to the segment's maximum - 8 and the (x + 4) / 4
/// scaling happen in <see cref="Finish"/>, which does not disturb the accumulator: a snapshot at
/// a pause and the end of the turn both call it.
/// </summary>
public sealed class WhisperLogMelAccumulator
{
    /// <summary>Input rate in Hz.</summary>
    public const int SampleRate = PipelineAudio.SampleRate;

    /// <summary>FFT and window length.</summary>
    public const int FftSize = 400;

    /// <summary>Samples between frames.</summary>
    public const int HopLength = 160;

    /// <summary>Mel filters.</summary>
    public const int MelBins = 128;

    /// <summary>The longest segment the reference tokenises in one run (30 s).</summary>
    public const int MaxSegmentSamples = 30 * SampleRate;

    /// <summary>Shorter segments are dropped by the reference.</summary>
    public const int MinSegmentSamples = 480;

    private const int Pad = FftSize / 2;

    // torch.clamp(min=1e-10) on a float32 tensor compares with the float32 nearest 1e-10.
    private const float PowerFloor = 1e-10f;

    private readonly double[] _window;
    private readonly RealFft _fft;
    private readonly MelFilterBank _mel;
    private readonly double[] _frame = new double[FftSize];
    private readonly double[] _power = new double[(FftSize / 2) + 1];
    private readonly double[] _energies = new double[MelBins];
    private readonly float[] _logRow = new float[MelBins];
    private readonly float[] _samples;
    private readonly float[] _melFrames;       // frame-major, MelBins per frame
    private int _sampleCount;
    private int _readyFrames;

    /// <summary>Creates an accumulator for segments of up to <paramref name="maxSegmentSamples"/> samples.</summary>
    public WhisperLogMelAccumulator(int maxSegmentSamples = MaxSegmentSamples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSegmentSamples, MinSegmentSamples);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSegmentSamples, MaxSegmentSamples);
        Capacity = maxSegmentSamples;
        _samples = new float[maxSegmentSamples];
        _melFrames = new float[FrameCountFor(maxSegmentSamples) * MelBins];
        _window = new double[FftSize];
        for (var n = 0; n < FftSize; n++)
        {
            _window[n] = 0.5 - (0.5 * Math.Cos(2.0 * Math.PI * n / FftSize));
        }

        _fft = new RealFft(FftSize);
        _mel = MelFilterBank.Slaney(MelBins, FftSize, SampleRate, 0.0, SampleRate / 2.0);
    }

    /// <summary>The most samples one segment may hold.</summary>
    public int Capacity { get; }

    /// <summary>Samples in the segment so far.</summary>
    public int SampleCount => _sampleCount;

    /// <summary>Frames already computed (those needing no end padding).</summary>
    public int ReadyFrames => _readyFrames;

    /// <summary>Frames of a segment of <paramref name="sampleCount"/> samples: 1 + n/hop, minus the dropped last one.</summary>
    public static int FrameCountFor(int sampleCount) => sampleCount <= Pad ? 0 : sampleCount / HopLength;

    /// <summary>Appends samples to the segment and computes the frames they complete.</summary>
    /// <exception cref="InvalidOperationException">The segment would exceed <see cref="Capacity"/>.</exception>
    public void Accept(ReadOnlySpan<float> samples)
    {
        if (samples.Length > Capacity - _sampleCount)
        {
            throw new InvalidOperationException($"A log-mel segment holds at most {Capacity} samples; {_sampleCount} are there and {samples.Length} more arrived.");
        }

        samples.CopyTo(_samples.AsSpan(_sampleCount));
        _sampleCount += samples.Length;

        // A frame is final once its whole window lies inside the samples received so far.
        while ((_readyFrames * HopLength) + Pad < _sampleCount)
        {
            ComputeFrame(_readyFrames, _sampleCount, _melFrames.AsSpan(_readyFrames * MelBins, MelBins));
            _readyFrames++;
        }
    }

    /// <summary>
    /// Writes the segment's normalised log-mel features, mel-major <c>[128, T]</c>, into
    /// <paramref name="features"/> and returns T. The accumulator keeps its state.
    /// </summary>
    /// <exception cref="InvalidOperationException">The segment is too short to reflect-pad (at most 200 samples).</exception>
    public int Finish(Span<float> features)
    {
        if (_sampleCount <= Pad)
        {
            throw new InvalidOperationException($"A log-mel segment needs more than {Pad} samples for its reflect padding; it has {_sampleCount}.");
        }

        var frames = FrameCountFor(_sampleCount);
        if (features.Length < frames * MelBins)
        {
            throw new ArgumentException($"Room for {frames} x {MelBins} values is needed, got {features.Length}.", nameof(features));
        }

        var max = float.NegativeInfinity;
        var logs = _logRow;
        for (var t = 0; t < frames; t++)
        {
            var mel = _melFrames.AsSpan(t * MelBins, MelBins);
            if (t >= _readyFrames)
            {
                // A frame that reaches into the end padding: written to its own slot but not
                // counted as ready, so a later Accept recomputes it from the real samples.
                ComputeFrame(t, _sampleCount, mel);
            }

            TensorPrimitives.Max(mel, PowerFloor, logs);
            TensorPrimitives.Log10(logs, logs);
            max = Math.Max(max, TensorPrimitives.Max(logs));
            for (var m = 0; m < MelBins; m++)
            {
                features[(m * frames) + t] = logs[m];
            }
        }

        // max(x, max - 8), then (x + 4) / 4, in float32 as the reference does.
        var span = features[..(frames * MelBins)];
        TensorPrimitives.Max(span, max - 8.0f, span);
        TensorPrimitives.Add(span, 4.0f, span);
        TensorPrimitives.Divide(span, 4.0f, span);
        return frames;
    }

    /// <summary>Empties the segment.</summary>
    public void Reset()
    {
        _sampleCount = 0;
        _readyFrames = 0;
    }

    /// <summary>Whole-segment convenience: the features <c>[128, T]</c> of <paramref name="segment"/>.</summary>
    public static float[] Compute(ReadOnlySpan<float> segment, out int frames)
    {
        var accumulator = new WhisperLogMelAccumulator(Math.Max(segment.Length, MinSegmentSamples));
        accumulator.Accept(segment);
        var features = new float[FrameCountFor(segment.Length) * MelBins];
        frames = accumulator.Finish(features);
        return features;
    }

    private void ComputeFrame(int frame, int length, Span<float> destination)
    {
        var start = (frame * HopLength) - Pad;
        var last = length - 1;
        if (start >= 0 && start + FftSize <= length)
        {
            // Wholly inside the audio (all but the few frames at either end): no reflection.
            var source = _samples.AsSpan(start, FftSize);
            for (var n = 0; n < FftSize; n++)
            {
                _frame[n] = source[n] * _window[n];
            }
        }
        else
        {
            ReflectedFrame(start, last);
        }

        _fft.PowerSpectrum(_frame, _power);
        _mel.Apply(_power, _energies);
        for (var m = 0; m < MelBins; m++)
        {
            destination[m] = (float)_energies[m];
        }
    }

    // A frame reaching past either end: reflect padding (x[-i] = x[i], x[last + i] = x[last - i]).
    private void ReflectedFrame(int start, int last)
    {
        for (var n = 0; n < FftSize; n++)
        {
            var index = start + n;
            if (index < 0)
            {
                index = -index;
            }
            else if (index > last)
            {
                index = (2 * last) - index;
            }

            _frame[n] = _samples[index] * _window[n];
        }
    }
}
