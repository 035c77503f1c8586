using System.Numerics.Tensors;

namespace StepAudio.Engine.Features;

/// <summary>
/// Kaldi-compatible log mel filter bank (torchaudio.compliance.kaldi.fbank semantics, snip_edges
/// true, dither 0, power spectrum, natural log floored at float32 epsilon), streaming: samples
/// arrive in pieces of any size and the 10 ms framing continues across them, so the frames are
/// bit-identical to a whole-file run.
/// </summary>
public sealed class KaldiFbank
{
    // torch.finfo(torch.float32).eps: the floor Kaldi's fbank puts under the mel energies.
    private const double LogFloor = 1.1920928955078125e-07;

    private readonly double _scale;
    private readonly double _preemphasis;
    private readonly bool _removeDc;
    private readonly double[] _window;
    private readonly RealFft _fft;
    private readonly MelFilterBank _mel;
    private readonly double[] _frame;
    private readonly double[] _power;
    private readonly double[] _energies;
    private readonly float[] _cache;
    private int _cached;
    private long _framesEmitted;

    /// <summary>Plans the analysis for <paramref name="options"/> (the vq02 front-end when null).</summary>
    public KaldiFbank(KaldiFbankOptions? options = null)
    {
        options ??= new KaldiFbankOptions();
        var (frameLength, frameShift, fftSize, highHz) = options.Resolve();
        FrameLength = frameLength;
        FrameShift = frameShift;
        MelBins = options.MelBins;
        _scale = options.InputScale;
        _preemphasis = options.Preemphasis;
        _removeDc = options.RemoveDcOffset;
        _window = BuildWindow(options.Window, frameLength);
        _fft = new RealFft(fftSize);
        _mel = MelFilterBank.Kaldi(options.MelBins, fftSize, options.SampleRate, options.LowFrequency, highHz);
        _frame = new double[fftSize];
        _power = new double[_fft.BinCount];
        _energies = new double[options.MelBins];
        _cache = new float[frameLength];
    }

    /// <summary>Samples per frame (400 at 16 kHz).</summary>
    public int FrameLength { get; }

    /// <summary>Samples between frame starts (160 at 16 kHz).</summary>
    public int FrameShift { get; }

    /// <summary>Values per frame.</summary>
    public int MelBins { get; }

    /// <summary>Frames produced since construction or the last <see cref="Reset"/>.</summary>
    public long FramesEmitted => _framesEmitted;

    /// <summary>The number of frames a whole-file run over <paramref name="sampleCount"/> samples yields (snip_edges).</summary>
    public int FrameCountFor(long sampleCount) =>
        sampleCount < FrameLength ? 0 : checked((int)(1 + ((sampleCount - FrameLength) / FrameShift)));

    /// <summary>How many frames the next <see cref="Accept"/> of <paramref name="sampleCount"/> samples will write.</summary>
    public int PendingFrames(int sampleCount) => FrameCountFor(_cached + (long)sampleCount);

    /// <summary>
    /// Appends samples and writes every frame that is now complete into <paramref name="destination"/>
    /// (frame-major, <see cref="MelBins"/> values each). Returns the number of frames written.
    /// </summary>
    public int Accept(ReadOnlySpan<float> samples, Span<float> destination)
    {
        var total = _cached + samples.Length;
        var frames = FrameCountFor(total);
        if (destination.Length < frames * MelBins)
        {
            throw new ArgumentException($"Room for {frames} frames of {MelBins} values is needed, got {destination.Length} values.", nameof(destination));
        }

        for (var f = 0; f < frames; f++)
        {
            LoadFrame(samples, f * FrameShift);
            ComputeFrame(destination.Slice(f * MelBins, MelBins));
        }

        // Keep the samples from the next frame's start on: the framing continues in the next call.
        var keepFrom = frames * FrameShift;
        var keep = total - keepFrom;
        if (keepFrom < _cached)
        {
            var fromCache = _cached - keepFrom;
            _cache.AsSpan(keepFrom, fromCache).CopyTo(_cache);
            samples.CopyTo(_cache.AsSpan(fromCache));
        }
        else
        {
            samples[(keepFrom - _cached)..].CopyTo(_cache);
        }

        _cached = keep;
        _framesEmitted += frames;
        return frames;
    }

    /// <summary>Whole-file convenience: the frames of <paramref name="waveform"/> on a fresh state.</summary>
    public float[] ComputeAll(ReadOnlySpan<float> waveform)
    {
        Reset();
        var output = new float[FrameCountFor(waveform.Length) * MelBins];
        Accept(waveform, output);
        Reset();
        return output;
    }

    /// <summary>Forgets the cached samples: the next sample starts a new signal.</summary>
    public void Reset()
    {
        _cached = 0;
        _framesEmitted = 0;
    }

    /// <summary>Copies the streaming state of <paramref name="other"/> (same options) into this instance.</summary>
    public void CopyStateFrom(KaldiFbank other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.FrameLength != FrameLength || other.FrameShift != FrameShift || other.MelBins != MelBins)
        {
            throw new ArgumentException("The other fbank has different options.", nameof(other));
        }

        other._cache.AsSpan(0, other._cached).CopyTo(_cache);
        _cached = other._cached;
        _framesEmitted = other._framesEmitted;
    }

    private void LoadFrame(ReadOnlySpan<float> samples, int start)
    {
        var length = FrameLength;
        var frame = _frame;
        var sum = 0.0;
        if (start >= _cached)
        {
            // The whole frame is in this call's samples (every frame but those straddling the cache).
            var source = samples.Slice(start - _cached, length);
            for (var i = 0; i < length; i++)
            {
                var x = source[i] * _scale;
                frame[i] = x;
                sum += x;
            }
        }
        else
        {
            for (var i = 0; i < length; i++)
            {
                var position = start + i;
                var x = (position < _cached ? _cache[position] : samples[position - _cached]) * _scale;
                frame[i] = x;
                sum += x;
            }
        }

        if (_removeDc)
        {
            var mean = sum / length;
            for (var i = 0; i < length; i++)
            {
                frame[i] -= mean;
            }
        }

        // Pre-emphasis with the first sample repeated before the frame (Kaldi's convention).
        for (var i = length - 1; i > 0; i--)
        {
            frame[i] -= _preemphasis * frame[i - 1];
        }

        frame[0] -= _preemphasis * frame[0];
        for (var i = 0; i < length; i++)
        {
            frame[i] *= _window[i];
        }

        Array.Clear(frame, length, frame.Length - length);
    }

    private void ComputeFrame(Span<float> output)
    {
        _fft.PowerSpectrum(_frame, _power);
        _mel.Apply(_power, _energies);
        TensorPrimitives.Max(_energies, LogFloor, _energies);
        TensorPrimitives.Log(_energies, _energies);
        for (var m = 0; m < output.Length; m++)
        {
            output[m] = (float)_energies[m];
        }
    }

    private static double[] BuildWindow(KaldiWindowType type, int length)
    {
        var window = new double[length];
        var denominator = length - 1.0;
        for (var n = 0; n < length; n++)
        {
            var phase = 2.0 * Math.PI * n / denominator;
            window[n] = type switch
            {
                KaldiWindowType.Hamming => 0.54 - (0.46 * Math.Cos(phase)),
                KaldiWindowType.Povey => Math.Pow(0.5 - (0.5 * Math.Cos(phase)), 0.85),
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown window type."),
            };
        }

        return window;
    }
}
