using Microsoft.ML.OnnxRuntime;

namespace StepAudio.Engine.Vocoder;

/// <summary>
/// ONNX Runtime tensors over pinned arrays, made once per (array, shape) and reused: streaming runs the
/// same few shapes over and over, and a cached tensor costs nothing to pass again. The cache is cleared
/// when a buffer is reallocated or when it grows past a bound (a stream of one-off sizes).
/// </summary>
internal sealed class OrtTensorCache : IDisposable
{
    private const int MaxEntries = 96;
    private readonly Dictionary<(object Array, long D0, long D1, long D2), OrtValue> _values = [];

    /// <summary>Bumped by every <see cref="Clear"/>: anything holding the old tensors (IO bindings) must drop them.</summary>
    public int Generation { get; private set; }

    /// <summary>A tensor of shape <c>[d0]</c>, <c>[d0, d1]</c> or <c>[d0, d1, d2]</c> (trailing -1 = absent) over the head of <paramref name="array"/>.</summary>
    public OrtValue Get<T>(T[] array, long d0, long d1 = -1, long d2 = -1)
        where T : unmanaged
    {
        var key = ((object)array, d0, d1, d2);
        if (_values.TryGetValue(key, out var value))
        {
            return value;
        }

        if (_values.Count >= MaxEntries)
        {
            Clear();
        }

        long[] shape = d1 < 0 ? [d0] : d2 < 0 ? [d0, d1] : [d0, d1, d2];
        long length = 1;
        foreach (var dim in shape)
        {
            length *= dim;
        }

        value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<T>(array, 0, checked((int)length)), shape);
        _values[key] = value;
        return value;
    }

    /// <summary>Drops every tensor (their arrays are about to be replaced).</summary>
    public void Clear()
    {
        foreach (var value in _values.Values)
        {
            value.Dispose();
        }

        _values.Clear();
        Generation++;
    }

    public void Dispose() => Clear();
}
