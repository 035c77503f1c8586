namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>
/// A bounded single-producer single-consumer queue of float samples. The producer and the consumer each own one
/// counter and only read the other's, so neither side locks or allocates.
/// </summary>
internal sealed class SampleQueue(int capacity)
{
    private readonly float[] _buffer = new float[capacity];
    private long _written;
    private long _read;

    public int Capacity => _buffer.Length;

    /// <summary>Samples ever written; a position in the stream the consumer can compare with <see cref="TotalRead"/>.</summary>
    public long TotalWritten => Volatile.Read(ref _written);

    public long TotalRead => Volatile.Read(ref _read);

    public int Count => (int)(TotalWritten - TotalRead);

    /// <summary>Producer: copies as much of <paramref name="samples"/> as fits; returns how much.</summary>
    public int Write(ReadOnlySpan<float> samples)
    {
        var written = _written;
        var free = _buffer.Length - (int)(written - Volatile.Read(ref _read));
        var count = Math.Min(free, samples.Length);
        var start = (int)(written % _buffer.Length);
        var first = Math.Min(count, _buffer.Length - start);
        samples[..first].CopyTo(_buffer.AsSpan(start));
        samples[first..count].CopyTo(_buffer);
        Volatile.Write(ref _written, written + count);
        return count;
    }

    /// <summary>Consumer: moves up to <paramref name="destination"/>.Length samples, but not past <paramref name="limit"/>.</summary>
    public int Read(Span<float> destination, long limit = long.MaxValue)
    {
        var read = _read;
        var available = Math.Min(Volatile.Read(ref _written), limit) - read;
        var count = (int)Math.Clamp(available, 0, destination.Length);
        var start = (int)(read % _buffer.Length);
        var first = Math.Min(count, _buffer.Length - start);
        _buffer.AsSpan(start, first).CopyTo(destination);
        _buffer.AsSpan(0, count - first).CopyTo(destination[first..]);
        Volatile.Write(ref _read, read + count);
        return count;
    }

    /// <summary>Consumer: drops everything written so far.</summary>
    public void Discard() => Volatile.Write(ref _read, Volatile.Read(ref _written));
}
