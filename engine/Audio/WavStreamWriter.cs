namespace StepAudio.Engine.Audio;

/// <summary>
/// Writes a WAV file while the audio is still being produced (the spoken reply, chunk by chunk). The header goes out
/// first with placeholder sizes; <see cref="Complete"/> (or <see cref="Dispose"/>) patches in the real ones when the
/// stream can seek. On a stream that cannot seek the placeholders (0xFFFFFFFF) stay, which readers, this one included,
/// take to mean "data runs to the end of the file".
/// </summary>
public sealed class WavStreamWriter : IDisposable
{
    internal const int ScratchBytes = 16384;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly WavSampleFormat _format;
    private readonly int _channels;
    private readonly long? _headerPosition; // null on a stream that cannot seek: the header is not patched
    private readonly byte[] _scratch = new byte[ScratchBytes];
    private long _dataBytes;
    private bool _completed;
    private bool _disposed;

    public WavStreamWriter(Stream stream, int sampleRate, int channels, WavSampleFormat format = WavSampleFormat.Pcm16, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckFormat(sampleRate, channels, format);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The WAV output stream is not writable.", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        _format = format;
        _channels = channels;
        _headerPosition = stream.CanSeek ? stream.Position : null;

        Span<byte> header = stackalloc byte[WavHeader.Length(format)];
        WavHeader.Write(header, format, sampleRate, channels, WavHeader.UnknownSize, WavHeader.UnknownSize);
        stream.Write(header);
    }

    /// <summary>Bytes of sample data written so far.</summary>
    public long DataBytes => _dataBytes;

    /// <summary>Appends whole frames of interleaved samples. Allocates nothing.</summary>
    /// <exception cref="ArgumentException">The samples are not whole frames.</exception>
    /// <exception cref="InvalidOperationException">The writer is complete, or the file would pass the 4 GiB WAV limit.</exception>
    public void Write(ReadOnlySpan<float> interleaved)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("The WAV writer is complete; no more samples can be written.");
        }

        if (interleaved.Length % _channels != 0)
        {
            throw new ArgumentException(
                $"{interleaved.Length} samples is not a whole number of {_channels}-channel frames.", nameof(interleaved));
        }

        var bytes = (long)interleaved.Length * WavSampleCodec.BytesPerSample(_format);
        if (_dataBytes + bytes > WavHeader.MaxDataBytes(_format))
        {
            throw new InvalidOperationException("The WAV file would pass the 4 GiB limit of its 32-bit sizes.");
        }

        WriteSamples(_stream, interleaved, _format, _scratch);
        _dataBytes += bytes;
    }

    /// <summary>Pads an odd-sized data chunk, patches the header sizes (when the stream can seek) and flushes.
    /// Later calls do nothing.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        _completed = true;
        if ((_dataBytes & 1) != 0)
        {
            _stream.WriteByte(0);
        }

        if (_headerPosition is { } headerPosition)
        {
            var end = _stream.Position;
            var dataBytes = (uint)_dataBytes;
            Span<byte> field = stackalloc byte[4];
            Patch(headerPosition, WavHeader.RiffSizeOffset, WavHeader.RiffSize(_format, dataBytes), field);
            Patch(headerPosition, WavHeader.DataSizeOffset(_format), dataBytes, field);
            if (WavHeader.FactFramesOffset(_format) is { } factOffset)
            {
                Patch(headerPosition, factOffset, (uint)(_dataBytes / (_channels * WavSampleCodec.BytesPerSample(_format))), field);
            }

            _stream.Position = end;
        }

        _stream.Flush();
    }

    /// <summary>Completes the file, then disposes the stream unless the writer was told to leave it open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Complete();
        }
        finally
        {
            _disposed = true;
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }

    internal static void CheckFormat(int sampleRate, int channels, WavSampleFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, WavAudio.MaxChannels);
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown WAV sample format.");
        }

        // The byte rate field is 32-bit; a rate that overflows it cannot be written honestly.
        if ((long)sampleRate * channels * WavSampleCodec.BytesPerSample(format) > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "The byte rate does not fit a WAV header.");
        }
    }

    /// <summary>Encodes through a fixed scratch buffer so long inputs never allocate.</summary>
    internal static void WriteSamples(Stream stream, ReadOnlySpan<float> samples, WavSampleFormat format, byte[] scratch)
    {
        var bytesPerSample = WavSampleCodec.BytesPerSample(format);
        var perPass = scratch.Length / bytesPerSample;
        while (!samples.IsEmpty)
        {
            var count = Math.Min(perPass, samples.Length);
            var bytes = scratch.AsSpan(0, count * bytesPerSample);
            WavSampleCodec.Encode(samples[..count], format, bytes);
            stream.Write(bytes);
            samples = samples[count..];
        }
    }

    private void Patch(long headerPosition, int offset, uint value, Span<byte> field)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(field, value);
        _stream.Position = headerPosition + offset;
        _stream.Write(field);
    }
}
