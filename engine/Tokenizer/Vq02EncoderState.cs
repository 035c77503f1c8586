namespace StepAudio.Engine.Tokenizer;

/// <summary>
/// What the vq02 encoder carries between chunks of one session: the last 5 encoder-input
/// frames, the start index and the per-layer key/value caches (double-buffered, since ONNX
/// Runtime's outputs must not alias its inputs). Copyable, so a speculative snapshot can run the
/// final chunk on a fork.
/// </summary>
internal sealed class Vq02EncoderState
{
    public Vq02EncoderState(int cacheLength)
    {
        CacheK = new float[cacheLength];
        CacheV = new float[cacheLength];
        SpareK = new float[cacheLength];
        SpareV = new float[cacheLength];
    }

    public float[] LeftContext { get; } = new float[Vq02Encoder.LeftContextFrames * Vq02Encoder.InputDim];

    public long[] StartIndex { get; } = new long[1];

    public long[] NextStartIndex { get; } = new long[1];

    public float[] CacheK { get; private set; }

    public float[] CacheV { get; private set; }

    public float[] SpareK { get; private set; }

    public float[] SpareV { get; private set; }

    /// <summary>Input staging (ONNX Runtime reads from pinned arrays the state owns).</summary>
    public float[] Speech { get; } = new float[Vq02Encoder.MaxChunkFrames * Vq02Encoder.InputDim];

    /// <summary>Output staging.</summary>
    public float[] Output { get; } = new float[Vq02Encoder.MaxChunkFrames * Vq02Encoder.OutputDim];

    /// <summary>Back to the start of a session: zero context and caches, index 0.</summary>
    public void Reset()
    {
        Array.Clear(LeftContext);
        Array.Clear(CacheK);
        Array.Clear(CacheV);
        StartIndex[0] = 0;
    }

    public void CopyFrom(Vq02EncoderState other)
    {
        other.LeftContext.CopyTo(LeftContext, 0);
        other.CacheK.CopyTo(CacheK, 0);
        other.CacheV.CopyTo(CacheV, 0);
        StartIndex[0] = other.StartIndex[0];
    }

    /// <summary>After a run: swap in the new caches, take the index, and slide the left context over the chunk.</summary>
    internal void Advance(ReadOnlySpan<float> speech, int frames)
    {
        (CacheK, SpareK) = (SpareK, CacheK);
        (CacheV, SpareV) = (SpareV, CacheV);
        StartIndex[0] = NextStartIndex[0];

        const int width = Vq02Encoder.InputDim;
        const int context = Vq02Encoder.LeftContextFrames;
        var keep = Math.Max(0, context - frames);
        LeftContext.AsSpan((context - keep) * width, keep * width).CopyTo(LeftContext);
        var take = context - keep;
        speech.Slice((frames - take) * width, take * width).CopyTo(LeftContext.AsSpan(keep * width));
    }
}
