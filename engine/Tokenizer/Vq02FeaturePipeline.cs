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
    /// releases the held-back tail and resets the pipeline, with FunASR's early returns: an empty
    /// final piece releases nothing (its chunk loop stops before the front-end), and a final piece
    /// whose new fbank frames plus the splice cache are fewer than one LFR stack yields nothing
    /// (the online front-end returns no features even on the last piece). Only a final piece too
    /// short for a new fbank frame releases the splice cache on its own.
    /// </summary>
    public int ProcessPiece(ReadOnlySpan<float> samples, bool isFinal, Span<float> destination)
    {
        if (samples.Length > PieceSamples)
        {
            throw new ArgumentException($"A vq02 piece has at most {PieceSamples} samples, got {samples.Length}.", nameof(samples));
        }

        if (isFinal && FinalPieceYieldsNothing(samples.Length))
        {
            Reset();
            return 0;
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

    private bool FinalPieceYieldsNothing(int sampleCount)
    {
        if (sampleCount == 0)
        {
            return true;
        }

        var newFrames = _fbank.PendingFrames(sampleCount);
        return newFrames > 0 && _lfr.SpliceFrames(newFrames) < _lfr.Stack;
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
