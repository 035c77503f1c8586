using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using StepAudio.Engine.Vocoder.Flow;

namespace StepAudio.Engine.Vocoder;

/// <summary>
/// Vocodes utterances in one voice. Streaming: chunk k covers flow tokens [a, a + hop_k) and also runs
/// the flow over <c>overlap</c> tokens of left context and a look-ahead; the look-ahead's mel is held back
/// and cross-faded (Hamming) into the next chunk's head, which covers the same tokens with context on both
/// sides. The first chunk is small and has a shorter look-ahead and HiFT hold-back so the first sound
/// comes early; then chunks grow: second, then doubling up to the max (all sizes from
/// <see cref="VocoderChunking"/>). Every chunk sees the full prompt and the same seeded noise per
/// utterance frame as the whole-utterance pass, so the two can be compared. One utterance at a time per
/// session: either <see cref="SynthesizeAsync"/>, or <see cref="Begin"/>, <see cref="Append"/>,
/// <see cref="TryRunChunk"/> and <see cref="Finish"/> on one thread (the allocation-free path).
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
    private bool _active;
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

    /// <summary>Output sample rate (the profile's).</summary>
    public int SampleRate => _profile.SampleRate;

    /// <summary>
    /// Streams PCM at the profile's sample rate as audio ids (interleaved 0..5119, as the TTS model emits
    /// them) arrive. Samples are clamped to +-0.99. Each chunk's memory is valid until the next MoveNext.
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<float>> SynthesizeAsync(
        IAsyncEnumerable<int> audioIds, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(audioIds);
        Begin();
        await foreach (var id in audioIds.WithCancellation(ct))
        {
            Append(id);
            while (TryRunChunk(out var pcm, ct))
            {
                if (!pcm.IsEmpty)
                {
                    yield return pcm;
                }
            }
        }

        ct.ThrowIfCancellationRequested();
        var last = Finish(ct);
        if (!last.IsEmpty)
        {
            yield return last;
        }
    }

    /// <summary>Starts an utterance, forgetting any unfinished one.</summary>
    public void Begin()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _tokenInts = 0;
        _baseStep = 0;
        _nextStep = 0;
        _chunkIndex = 0;
        _hop = _chunking.HopTokens(0);
        _heldFrames = 0;
        _mapper.Flush(stackalloc int[FlowTokenMapper.MaxOutputPerCall]);
        _hift.Reset();
        _active = true;
    }

    /// <summary>Adds one audio id (0..5119) of the utterance.</summary>
    /// <exception cref="InvalidDataException">The id, or the flow token it maps to, is out of range.</exception>
    public void Append(int audioId)
    {
        EnsureActive();
        Span<int> mapped = stackalloc int[FlowTokenMapper.MaxOutputPerCall];
        Store(mapped[.._mapper.Push(audioId, mapped)]);
    }

    /// <summary>
    /// Runs the next chunk when its tokens and look-ahead have arrived. <paramref name="pcm"/> is the PCM
    /// that is final now (valid until the next call on this session); false when the chunk still waits.
    /// </summary>
    public bool TryRunChunk(out ReadOnlyMemory<float> pcm, CancellationToken ct = default)
    {
        EnsureActive();
        if (AvailableSteps < _nextStep + _hop + _chunking.LookAheadTokens(_chunkIndex))
        {
            pcm = ReadOnlyMemory<float>.Empty;
            return false;
        }

        pcm = RunChunk(final: false, ct);
        return true;
    }

    /// <summary>Ends the utterance: vocodes every token not yet emitted and releases the held-back PCM.</summary>
    public ReadOnlyMemory<float> Finish(CancellationToken ct = default)
    {
        EnsureActive();
        Span<int> mapped = stackalloc int[FlowTokenMapper.MaxOutputPerCall];
        Store(mapped[.._mapper.Flush(mapped)]);
        _active = false;
        return RunChunk(final: true, ct);
    }

    /// <summary>The whole-utterance reference path (Step-Audio's own): one flow pass, one HiFT pass, same models and seed. Ends any streamed utterance.</summary>
    public float[] SynthesizeAll(ReadOnlySpan<int> audioIds)
    {
        var (mel, frames) = SynthesizeMelAll(audioIds);
        return DecodeAll(mel, frames);
    }

    /// <summary>The whole utterance's flow mel, channel-major <c>[bins, frames]</c> (the parity tests compare it with the reference's).</summary>
    internal (float[] Mel, int Frames) SynthesizeMelAll(ReadOnlySpan<int> audioIds)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var tokens = FlowTokenMapper.MapAll(_profile.TokenLayout, audioIds);
        CheckVocabulary(tokens);
        var steps = tokens.Length / _width;
        var mel = _flow.SynthesizeWhole(tokens, steps, CancellationToken.None).ToArray();
        return (mel, steps == 0 ? 0 : _profile.FramesForTokens(steps));
    }

    /// <summary>One HiFT pass over a whole channel-major mel from a fresh source. Ends any streamed utterance.</summary>
    internal float[] DecodeAll(ReadOnlySpan<float> mel, int frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _hift.Reset();
        _active = false; // the HiFT caches of any streamed utterance are gone
        return _hift.Decode(mel, frames, 0, frames, 0).ToArray();
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

    private void EnsureActive()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_active)
        {
            throw new InvalidOperationException("No utterance in progress: call Begin first (Finish ends one).");
        }
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
        var available = AvailableSteps;
        var a = _nextStep;
        var b = final ? available : a + _hop;
        var end = final ? available : b + _chunking.LookAheadTokens(_chunkIndex);
        var hold = final ? 0 : _chunking.HiftHoldFrames(_chunkIndex);
        if (end <= a)
        {
            // Nothing new: a final call still releases the PCM HiFT held back for the fade.
            return final ? _hift.Decode(default, 0, 0, 0, 0) : ReadOnlyMemory<float>.Empty;
        }

        var start = Math.Max(_baseStep, a - _chunking.OverlapTokens);
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

        var pcm = _hift.Decode(mel, frames, headColumn, emitted, hold);
        Log.Chunk(_logger, _chunkIndex, a, b, emitted, pcm.Length);
        Advance(b);
        return pcm;
    }

    private void Advance(long next)
    {
        _nextStep = next;
        _chunkIndex++;
        _hop = _chunking.HopTokens(_chunkIndex);

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
