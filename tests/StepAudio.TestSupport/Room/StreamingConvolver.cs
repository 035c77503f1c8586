using System.Numerics.Tensors;

namespace StepAudio.TestSupport.Room;

/// <summary>Convolves a stream block by block with a fixed impulse response (direct form, SIMD dot products).</summary>
public sealed class StreamingConvolver
{
    private readonly float[] _reversed;
    private readonly float[] _history;
    private readonly int _maxBlock;

    public StreamingConvolver(float[] impulseResponse, int maxBlock = 4096)
    {
        ArgumentNullException.ThrowIfNull(impulseResponse);
        _reversed = impulseResponse.Reverse().ToArray();
        _maxBlock = maxBlock;
        _history = new float[_reversed.Length - 1 + maxBlock];
    }

    /// <summary>Adds <paramref name="input"/> convolved with the response onto <paramref name="output"/>.</summary>
    public void AddTo(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length > _maxBlock || output.Length != input.Length)
        {
            throw new ArgumentException($"Blocks of at most {_maxBlock} samples, in and out the same length.", nameof(input));
        }

        var keep = _reversed.Length - 1;
        input.CopyTo(_history.AsSpan(keep));
        for (var n = 0; n < input.Length; n++)
        {
            output[n] += TensorPrimitives.Dot(_history.AsSpan(n, _reversed.Length), _reversed);
        }

        _history.AsSpan(input.Length, keep).CopyTo(_history);
    }
}
