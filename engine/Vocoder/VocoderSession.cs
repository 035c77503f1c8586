using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace StepAudio.Engine.Vocoder;

/// <summary>
/// Vocodes utterances in one voice. Streaming: chunk k covers flow tokens [a, a + hop_k) and also runs
/// the flow over <c>overlap</c> tokens of left context and <c>overlap</c> tokens of look-ahead; the
/// look-ahead's mel is held back and cross-faded (Hamming) into the next chunk's head, which covers the
/// same tokens with context on both sides. Chunks grow: first, second, then doubling up to the max.
/// Every chunk sees the full prompt and the same seeded noise per utterance frame as the whole-utterance
/// pass, so the two can be compared. One synthesis at a time per session.
/// </summary>
public sealed partial class VocoderSession : IDisposable
{
    private readonly VocoderProfile _profile;
    private readonly VocoderChunking _chunking;
    private readonly FlowChunkSynthesizer _flow;
    private readonly HiftStreamDecoder _hift;
    private readonly FlowTokenMapper _mapper;
    private readonly ILogger _logger;
    private readonly int _width;
    private readonly float[] _heldMel;
    private readonly int _heldStride;
    private readonly float[] _melFadeWindow;
    private int[] _tokens;
    private int _tokenInts;
    private long _baseStep;
    private long _nextStep;
    private int _chunkIndex;
    private int _hop;
    private int _heldFrames;
    private bool _disposed;

    internal VocoderSession(VocoderModels models, VocoderChunking chunking, SpeakerPrompt prompt, float[] projectedSpeaker, ulong seed, ILogger logger)
    {
        _profile = models.Profile;
        _chunking = chunking;
        _logger = logger;
        _width = _profile.TokenWidth;
        var windowSteps = chunking.MaxChunkTokens + (2 * chunking.OverlapTokens);
        _flow = new FlowChunkSynthesizer(models, prompt, projectedSpeaker, seed, windowSteps);
        _hift = new HiftStreamDecoder(models.Hift, _profile.MelBins, _profile.Hop, chunking.HiftCacheFrames, _profile.FramesForTokens(windowSteps) + 2);
        _mapper = new FlowTokenMapper(_profile.TokenLayout);
        _heldStride = _profile.FramesForTokens(chunking.OverlapTokens) + 2;
        _heldMel = new float[_profile.MelBins * _heldStride];
        _melFadeWindow = new float[2 * _heldStride];
        _tokens = new int[(windowSteps + FlowTokenMapper.MaxOutputPerCall) * _width];
    }

    /// <summary>
    /// Streams PCM at the profile's sample rate as audio ids (interleaved 0..5119, as the TTS model emits
    /// them) arrive. Samples are clamped to +-0.99. Each chunk's memory is valid until the next MoveNext.
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<float>> SynthesizeAsync(
        IAsyncEnumerable<int> audioIds, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(audioIds);
        ObjectDisposedException.ThrowIf(_disposed, this);
        BeginUtterance();
        await foreach (var id in audioIds.WithCancellation(ct))
        {
            Append(id);
            while (AvailableSteps >= _nextStep + _hop + _chunking.OverlapTokens)
            {
                var pcm = RunChunk(final: false, ct);
                if (!pcm.IsEmpty)
                {
                    yield return pcm;
                }
            }
        }

        ct.ThrowIfCancellationRequested();
        Flush();
        var last = RunChunk(final: true, ct);
        if (!last.IsEmpty)
        {
            yield return last;
        }
    }

    /// <summary>The whole-utterance reference path (Step-Audio's own): one flow pass, one HiFT pass, same models and seed.</summary>
    public float[] SynthesizeAll(ReadOnlySpan<int> audioIds)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var tokens = FlowTokenMapper.MapAll(_profile.TokenLayout, audioIds);
        CheckVocabulary(tokens);
        var steps = tokens.Length / _width;
        var mel = _flow.SynthesizeWhole(tokens, steps, CancellationToken.None);
        var frames = steps == 0 ? 0 : _profile.FramesForTokens(steps);
        _hift.Reset();
        return _hift.Decode(mel, frames, 0, frames, final: true).ToArray();
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _flow.Dispose();
            _hift.Dispose();
        }
    }

    private long AvailableSteps => _baseStep + (_tokenInts / _width);

    private void BeginUtterance()
    {
        _tokenInts = 0;
        _baseStep = 0;
        _nextStep = 0;
        _chunkIndex = 0;
        _hop = _chunking.FirstChunkTokens;
        _heldFrames = 0;
        _mapper.Flush(stackalloc int[FlowTokenMapper.MaxOutputPerCall]);
        _hift.Reset();
    }

    private void Append(int audioId)
    {
        Span<int> mapped = stackalloc int[FlowTokenMapper.MaxOutputPerCall];
        Store(mapped[.._mapper.Push(audioId, mapped)]);
    }

    private void Flush()
    {
        Span<int> mapped = stackalloc int[FlowTokenMapper.MaxOutputPerCall];
        Store(mapped[.._mapper.Flush(mapped)]);
    }

    private void Store(ReadOnlySpan<int> mapped)
    {
        if (mapped.IsEmpty)
        {
            return;
        }

        CheckVocabulary(mapped);
        if (_tokenInts + mapped.Length > _tokens.Length)
        {
            Array.Resize(ref _tokens, Math.Max(_tokens.Length * 2, _tokenInts + mapped.Length));
        }

        mapped.CopyTo(_tokens.AsSpan(_tokenInts));
        _tokenInts += mapped.Length;
    }

    private void CheckVocabulary(ReadOnlySpan<int> tokens)
    {
        foreach (var token in tokens)
        {
            if ((uint)token >= (uint)_profile.VocabSize)
            {
                throw new InvalidDataException(
                    $"Flow token {token} is outside the flow vocabulary 0..{_profile.VocabSize - 1} of profile '{_profile.Name}' ({_profile.TokenLayout} layout): check vocoder.json's 'tokenLayout' and 'vocabSize'.");
            }
        }
    }

    private ReadOnlyMemory<float> RunChunk(bool final, CancellationToken ct)
    {
        var overlap = _chunking.OverlapTokens;
        var available = AvailableSteps;
        var a = _nextStep;
        var b = final ? available : a + _hop;
        var end = final ? available : b + overlap;
        if (end <= a)
        {
            // Nothing new: a final call still releases the PCM HiFT held back for the fade.
            return final ? _hift.Decode(default, 0, 0, 0, final: true) : ReadOnlyMemory<float>.Empty;
        }

        var start = Math.Max(_baseStep, a - overlap);
        var f0 = Frames(start);
        var fa = Frames(a);
        var fb = Frames(b);
        var fe = Frames(end);
        var frames = (int)(fe - f0);
        var steps = (int)(end - start);
        var window = _tokens.AsSpan((int)(start - _baseStep) * _width, steps * _width);
        var mel = _flow.SynthesizeWindow(window, steps, start, f0, frames, ct);

        var headColumn = (int)(fa - f0);
        var emitted = (int)(fb - fa);
        if (_heldFrames > 0 && frames > 0)
        {
            var fade = Math.Min(_heldFrames, emitted);
            CrossFade.Window(fade, _melFadeWindow);
            var windowSpan = _melFadeWindow.AsSpan(0, 2 * fade);
            for (var c = 0; c < _profile.MelBins; c++)
            {
                CrossFade.Apply(mel.Slice((c * frames) + headColumn, fade), _heldMel.AsSpan(c * _heldStride, _heldFrames), windowSpan);
            }
        }

        _heldFrames = 0;
        if (!final)
        {
            var held = (int)(fe - fb);
            for (var c = 0; c < _profile.MelBins; c++)
            {
                mel.Slice((c * frames) + headColumn + emitted, held).CopyTo(_heldMel.AsSpan(c * _heldStride, held));
            }

            _heldFrames = held;
        }

        var pcm = _hift.Decode(mel, frames, headColumn, emitted, final);
        Log.Chunk(_logger, _chunkIndex, a, b, emitted, pcm.Length);
        Advance(b);
        return pcm;
    }

    private void Advance(long next)
    {
        _nextStep = next;
        _chunkIndex++;
        _hop = _chunkIndex == 1 ? _chunking.ChunkTokens : Math.Min(_chunking.MaxChunkTokens, _hop * 2);

        // Keep only the left context the next chunk re-reads.
        var keepFrom = Math.Max(_baseStep, next - _chunking.OverlapTokens);
        var drop = (int)(keepFrom - _baseStep) * _width;
        if (drop > 0)
        {
            _tokens.AsSpan(drop, _tokenInts - drop).CopyTo(_tokens);
            _tokenInts -= drop;
            _baseStep = keepFrom;
        }
    }

    private long Frames(long steps) => _profile.FramesForTokens((int)steps);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1503, Level = LogLevel.Debug, Message = "Vocoder chunk {Index}: tokens {First}..{End}, {Frames} mel frames, {Samples} samples out")]
        public static partial void Chunk(ILogger logger, int index, long first, long end, int frames, int samples);
    }
}
