using System.Numerics.Tensors;
using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Vocoder;

/// <summary>
/// <c>hift.onnx</c> fed chunk by chunk the way CosyVoice streams it: each run re-reads the previous run's
/// last mel frames (the mel cache), starts its NSF source from the previous source samples there (the
/// source cache), and its PCM over those frames is cross-faded into the PCM held back last time. The
/// held-back PCM is only emitted, faded, by the next run (or by the final one). Output is clamped to
/// +-0.99 as the reference does.
/// </summary>
internal sealed class HiftStreamDecoder : IDisposable
{
    private const float ClampLimit = 0.99f;
    private readonly ModelRunner _runner;
    private readonly int _bins;
    private readonly int _hop;
    private readonly int _cacheFrames;
    private readonly float[] _melCache;
    private readonly float[] _sourceCache;
    private readonly float[] _speechTail;
    private readonly float[] _fadeWindow;
    private int _cachedFrames;
    private int? _fadeWindowOverlap; // the overlap _fadeWindow was made for; null before the first
    private float[] _mel = [];
    private float[] _pcm = [];
    private float[] _source = [];

    public HiftStreamDecoder(OnnxModel model, int melBins, int hop, int cacheFrames, int capacityFrames)
    {
        _runner = new ModelRunner(model);
        _bins = melBins;
        _hop = hop;
        _cacheFrames = cacheFrames;
        _melCache = new float[melBins * cacheFrames];
        _sourceCache = GC.AllocateArray<float>(Math.Max(cacheFrames * hop, 1), pinned: true);
        _speechTail = new float[cacheFrames * hop];
        _fadeWindow = new float[2 * cacheFrames * hop];
        EnsureCapacity(capacityFrames + cacheFrames);
    }

    /// <summary>Forgets the previous chunk (a new utterance).</summary>
    public void Reset() => _cachedFrames = 0;

    /// <summary>
    /// Vocodes <paramref name="frames"/> new mel frames, read channel-major from <paramref name="mel"/> with
    /// rows of <paramref name="stride"/> floats starting at column <paramref name="offset"/>, and holds back
    /// the PCM of the last <paramref name="holdFrames"/> frames (at most the cache size; 0 ends the utterance)
    /// for the next call to re-read and fade into. Returns the PCM that is final now, valid until the next call.
    /// </summary>
    public ReadOnlyMemory<float> Decode(ReadOnlySpan<float> mel, int stride, int offset, int frames, int holdFrames)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(holdFrames, _cacheFrames);
        var cached = _cachedFrames;
        var total = cached + frames;
        if (total == 0)
        {
            return ReadOnlyMemory<float>.Empty;
        }

        EnsureCapacity(total);
        for (var c = 0; c < _bins; c++)
        {
            _melCache.AsSpan(c * _cacheFrames, cached).CopyTo(_mel.AsSpan(c * total, cached));
            mel.Slice((c * stride) + offset, frames).CopyTo(_mel.AsSpan((c * total) + cached, frames));
        }

        var samples = total * _hop;
        _runner.Inputs[0] = _runner.Tensors.Get(_mel, 1, _bins, total);
        _runner.Inputs[1] = _runner.Tensors.Get(_sourceCache, 1, 1, cached * _hop);
        _runner.Outputs[0] = _runner.Tensors.Get(_pcm, 1, samples);
        _runner.Outputs[1] = _runner.Tensors.Get(_source, 1, 1, samples);
        _runner.Run();

        var pcm = _pcm.AsSpan(0, samples);
        if (cached > 0)
        {
            var overlap = cached * _hop;
            CrossFade.Apply(pcm, _speechTail.AsSpan(0, overlap), FadeWindow(overlap));
        }

        var emitted = samples;
        if (holdFrames > 0)
        {
            var keep = Math.Min(holdFrames, total);
            var keepSamples = keep * _hop;
            for (var c = 0; c < _bins; c++)
            {
                _mel.AsSpan((c * total) + total - keep, keep).CopyTo(_melCache.AsSpan(c * _cacheFrames, keep));
            }

            _source.AsSpan(samples - keepSamples, keepSamples).CopyTo(_sourceCache);
            pcm[^keepSamples..].CopyTo(_speechTail);
            _cachedFrames = keep;
            emitted = samples - keepSamples;
        }
        else
        {
            _cachedFrames = 0;
        }

        var output = pcm[..emitted];
        TensorPrimitives.Clamp(output, -ClampLimit, ClampLimit, output);
        return _pcm.AsMemory(0, emitted);
    }

    public void Dispose()
    {
        _runner.Dispose();
    }

    private ReadOnlySpan<float> FadeWindow(int overlap)
    {
        if (overlap != _fadeWindowOverlap)
        {
            CrossFade.Window(overlap, _fadeWindow);
            _fadeWindowOverlap = overlap;
        }

        return _fadeWindow.AsSpan(0, 2 * overlap);
    }

    private void EnsureCapacity(int frames)
    {
        if (_bins * frames <= _mel.Length)
        {
            return;
        }

        _runner.Tensors.Clear();
        var capacity = Math.Max(frames, _mel.Length / _bins * 3 / 2);
        _mel = GC.AllocateArray<float>(capacity * _bins, pinned: true);
        _pcm = GC.AllocateArray<float>(capacity * _hop, pinned: true);
        _source = GC.AllocateArray<float>(capacity * _hop, pinned: true);
    }
}
