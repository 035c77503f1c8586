using Microsoft.Extensions.Logging;
using StepAudio.Engine.Features;

namespace StepAudio.Engine.Tokenizer;

/// <summary>
/// The work behind one <see cref="TokenizerSession"/>, run on its worker: normalises the audio
/// received so far with the peak so far, encodes every complete 3840-sample vq02 piece, feeds the
/// vq06 log-mel of the current 30 s segment, and tokenises each segment once it is full. When a
/// later sample raises the peak, the normalised audio changes everywhere, so both paths restart
/// from the session's first sample: the tokens then equal a whole-file run bit for bit.
/// </summary>
/// <remarks>
/// Shifting the stored log-fbank by 2 ln(gain) instead would be exact only in real arithmetic: in
/// float32 log(p g^2) and log(p) + 2 ln g differ in the last bit, which can move a centroid
/// choice, and the encoder has to run again anyway because CMVN and the network are not
/// shift-invariant. The fbank is cheap (about a thousand times real time), so it is recomputed.
/// </remarks>
internal sealed class SessionProcessor
{
    private const int PieceSamples = Vq02FeaturePipeline.PieceSamples;

    private readonly DualCodebookTokenizer _tokenizer;
    private readonly float[] _samples;
    private readonly ILogger _logger;
    private readonly Vq02FeaturePipeline _pipeline;
    private readonly Vq02FeaturePipeline _forkPipeline;
    private readonly Vq02EncoderState _state;
    private readonly Vq02EncoderState _forkState;
    private readonly WhisperLogMelAccumulator _segment = new();
    private readonly float[] _normalised = new float[PieceSamples];
    private readonly float[] _frames = new float[Vq02FeaturePipeline.MaxFramesPerPiece * Vq02Encoder.InputDim];
    private readonly float[] _encoded = new float[Vq02Encoder.MaxChunkFrames * Vq02Encoder.OutputDim];
    private readonly float[] _features = new float[WhisperLogMelAccumulator.FrameCountFor(WhisperLogMelAccumulator.MaxSegmentSamples) * WhisperLogMelAccumulator.MelBins];
    private readonly List<int> _vq02 = [];
    private readonly List<int> _vq06 = [];

    private float _peak;
    private int _scanned;
    private float _divisor;
    private int _pieces;
    private int _segmentStart;
    private int _segmentFed;

    public SessionProcessor(DualCodebookTokenizer tokenizer, float[] samples, ILogger logger)
    {
        _tokenizer = tokenizer;
        _samples = samples;
        _logger = logger;
        _pipeline = new Vq02FeaturePipeline(tokenizer.Cmvn);
        _forkPipeline = new Vq02FeaturePipeline(tokenizer.Cmvn);
        _state = tokenizer.Encoder.CreateState();
        _forkState = tokenizer.Encoder.CreateState();
        _vq02.Capacity = (samples.Length / 960) + 8;
    }

    /// <summary>vq02 pieces encoded so far with the current normalisation.</summary>
    public int EncodedPieces => _pieces;

    /// <summary>Times the peak rose after work had been done, forcing a restart.</summary>
    public int Restarts { get; private set; }

    /// <summary>Brings both paths up to <paramref name="count"/> received samples.</summary>
    public void Advance(int count)
    {
        UpdatePeak(count);
        while ((_pieces + 1) * PieceSamples <= count)
        {
            var piece = Normalise(_pieces * PieceSamples, PieceSamples);
            var frames = _pipeline.ProcessPiece(piece, isFinal: false, _frames);
            Encode(frames, _state, _vq02);
            _pieces++;
        }

        while (_segmentStart + _segmentFed < count)
        {
            var segmentEnd = _segmentStart + WhisperLogMelAccumulator.MaxSegmentSamples;
            var length = Math.Min(Math.Min(count, segmentEnd) - (_segmentStart + _segmentFed), PieceSamples);
            _segment.Accept(Normalise(_segmentStart + _segmentFed, length));
            _segmentFed += length;
            if (_segmentStart + _segmentFed == segmentEnd)
            {
                TokeniseSegment(_vq06);
                _segment.Reset();
                _segmentStart = segmentEnd;
                _segmentFed = 0;
            }
        }
    }

    /// <summary>
    /// The tokens of the first <paramref name="count"/> samples as if the turn ended there: the
    /// final vq02 piece runs on a fork of the state and the open vq06 segment is finished without
    /// disturbing it, so the session can go on.
    /// </summary>
    public AudioTokens Tokens(int count)
    {
        Advance(count);
        _forkPipeline.CopyStateFrom(_pipeline);
        _forkState.CopyFrom(_state);
        var vq02 = new List<int>(_vq02.Count + Vq02Encoder.MaxChunkFrames);
        vq02.AddRange(_vq02);
        var vq06 = new List<int>(_vq06);
        var tailStart = _pieces * PieceSamples;

        // The last vq02 piece and the open vq06 segment use separate models and buffers: the end
        // of a turn waits for the slower of the two, not for both in turn.
        Parallel.Invoke(
            () =>
            {
                var frames = _forkPipeline.ProcessPiece(Normalise(tailStart, count - tailStart), isFinal: true, _frames);
                Encode(frames, _forkState, vq02);
            },
            () =>
            {
                if (_segment.SampleCount >= WhisperLogMelAccumulator.MinSegmentSamples)
                {
                    TokeniseSegment(vq06);
                }
            });

        return new AudioTokens(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(vq02), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(vq06));
    }

    private void UpdatePeak(int count)
    {
        if (count > _scanned)
        {
            var span = _samples.AsSpan(_scanned, count - _scanned);
            var peak = AudioConditioner.Peak(span);
            if (!float.IsFinite(peak))
            {
                throw new InvalidDataException($"Tokenizer input has a non-finite sample between sample {_scanned} and {count}.");
            }

            _peak = Math.Max(_peak, peak);
            _scanned = count;
        }

        var divisor = AudioConditioner.Divisor(_peak);
        if (divisor != _divisor)
        {
            if (_pieces > 0 || _segmentFed > 0 || _segmentStart > 0)
            {
                Restarts++;
                TokenizerLog.PeakRestart(_logger, _divisor, divisor, count);
            }

            _divisor = divisor;
            _pipeline.Reset();
            _state.Reset();
            _vq02.Clear();
            _pieces = 0;
            _segment.Reset();
            _vq06.Clear();
            _segmentStart = 0;
            _segmentFed = 0;
        }
    }

    private ReadOnlySpan<float> Normalise(int start, int length)
    {
        var destination = _normalised.AsSpan(0, length);
        AudioConditioner.Normalise(_samples.AsSpan(start, length), _divisor, destination);
        return destination;
    }

    private void Encode(int frames, Vq02EncoderState state, List<int> tokens)
    {
        if (frames == 0)
        {
            return;
        }

        if (frames > Vq02Encoder.MaxChunkFrames)
        {
            throw new InvalidOperationException($"A vq02 piece produced {frames} frames; at most {Vq02Encoder.MaxChunkFrames} are possible.");
        }

        var codebook = _tokenizer.Codebook;
        _tokenizer.Encoder.Run(_frames, frames, state, _encoded);
        for (var t = 0; t < frames; t++)
        {
            tokens.Add(codebook.Nearest(_encoded.AsSpan(t * Vq02Encoder.OutputDim, Vq02Encoder.OutputDim)));
        }
    }

    private void TokeniseSegment(List<int> tokens)
    {
        var frames = _segment.Finish(_features);
        tokens.AddRange(_tokenizer.Vq06.Run(_features, frames));
    }
}
