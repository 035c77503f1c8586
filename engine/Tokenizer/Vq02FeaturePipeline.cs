using StepAudio.Engine.Features;

namespace StepAudio.Engine.Tokenizer;

/// <summary>
/// vq02's front-end per 3840-sample piece: Kaldi fbank (2^15 scale, Hamming, dither 0), LFR 7/6,
/// CMVN. Keeps the fbank sample cache and the LFR splice cache between pieces; copyable so a
/// snapshot can finish a fork of it.
/// </summary>
internal sealed class Vq02FeaturePipeline
{
    /// <summary>Samples per encoder chunk: 240 ms, chunk_size [0, 4, 5] x 960.</summary>
    public const int PieceSamples = 3840;

    /// <summary>LFR frames one piece can yield (4 plus a final padded one, with margin).</summary>
    public const int MaxFramesPerPiece = 6;

    private readonly KaldiFbank _fbank = new();
    private readonly LowFrameRate _lfr = new();
    private readonly Cmvn _cmvn;
    private readonly float[] _fbankFrames;

    public Vq02FeaturePipeline(Cmvn cmvn)
    {
        if (cmvn.Dimension != _lfr.OutputDimension)
        {
            throw new ArgumentException($"CMVN has dimension {cmvn.Dimension}, LFR produces {_lfr.OutputDimension}.", nameof(cmvn));
        }

        _cmvn = cmvn;
        _fbankFrames = new float[_fbank.FrameCountFor(PieceSamples + _fbank.FrameLength) * _fbank.MelBins];
    }

    /// <summary>
    /// Runs one piece of normalised samples (at most 3840) and writes its encoder-input frames
    /// (560 values each) to <paramref name="destination"/>; returns how many. A final piece also
    /// releases the held-back tail and resets the pipeline.
    /// </summary>
    public int ProcessPiece(ReadOnlySpan<float> samples, bool isFinal, Span<float> destination)
    {
        if (samples.Length > PieceSamples)
        {
            throw new ArgumentException($"A vq02 piece has at most {PieceSamples} samples, got {samples.Length}.", nameof(samples));
        }

        var fbankFrames = _fbank.Accept(samples, _fbankFrames);
        var written = _lfr.Accept(_fbankFrames.AsSpan(0, fbankFrames * _fbank.MelBins), destination);
        if (isFinal)
        {
            written += _lfr.Finish(destination[(written * _lfr.OutputDimension)..]);
            _fbank.Reset();
        }

        _cmvn.Apply(destination[..(written * _lfr.OutputDimension)]);
        return written;
    }

    public void Reset()
    {
        _fbank.Reset();
        _lfr.Reset();
    }

    public void CopyStateFrom(Vq02FeaturePipeline other)
    {
        _fbank.CopyStateFrom(other._fbank);
        _lfr.CopyStateFrom(other._lfr);
    }
}
