namespace StepAudio.Engine.Pipeline.Listening;

/// <summary>
/// The last few seconds of 16 kHz audio, so a turn can begin slightly before the wake word was
/// recognised and the user's first words are not lost. Fixed size; writing allocates nothing.
/// </summary>
internal sealed class PreRollBuffer
{
    private readonly float[] _ring;
    private long _written;

    public PreRollBuffer(int capacitySamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacitySamples);
        _ring = new float[capacitySamples];
    }

    /// <summary>How many samples it can hold.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Samples written since the start.</summary>
    public long Written => _written;

    /// <summary>Appends samples, overwriting the oldest.</summary>
    public void Write(ReadOnlySpan<float> samples)
    {
        if (samples.Length >= _ring.Length)
        {
            samples[^_ring.Length..].CopyTo(_ring);
            _written += samples.Length;
            RotateToIndex(_written);
            return;
        }

        var start = (int)(_written % _ring.Length);
        var first = Math.Min(samples.Length, _ring.Length - start);
        samples[..first].CopyTo(_ring.AsSpan(start));
        samples[first..].CopyTo(_ring);
        _written += samples.Length;
    }

    /// <summary>Copies the newest <paramref name="destination"/>.Length samples (oldest first); returns how many were available.</summary>
    public int CopyLatest(Span<float> destination)
    {
        var count = (int)Math.Min(Math.Min(destination.Length, _ring.Length), _written);
        var startAbsolute = _written - count;
        var start = (int)(startAbsolute % _ring.Length);
        var first = Math.Min(count, _ring.Length - start);
        _ring.AsSpan(start, first).CopyTo(destination);
        _ring.AsSpan(0, count - first).CopyTo(destination[first..]);
        return count;
    }

    private void RotateToIndex(long written)
    {
        // After a full overwrite the newest sample sits at the end; move it so index arithmetic holds.
        var shift = (int)(written % _ring.Length);
        if (shift != 0)
        {
            Array.Reverse(_ring);
            Array.Reverse(_ring, 0, shift);
            Array.Reverse(_ring, shift, _ring.Length - shift);
        }
    }
}
