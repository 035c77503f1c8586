namespace StepAudio.Engine.Audio;

/// <summary>Reads and writes whole WAV files (PCM 16/24/32-bit, IEEE float 32-bit, WAVE_FORMAT_EXTENSIBLE on read).</summary>
/// <remarks>
/// Reading is lenient where real writers are sloppy and strict where the file is broken: a data size of 0 or
/// 0xFFFFFFFF (left by streaming writers) reads to the end of the file, and a partial last frame (a recording cut
/// mid-frame) is dropped; but a data chunk declared longer than the file is a truncation error. Float samples
/// outside [-1, 1] are clamped and NaN becomes 0.
/// </remarks>
public static class WavFile
{
    /// <summary>Reads and decodes a WAV file.</summary>
    /// <exception cref="WavFormatException">The file is missing, unreadable, malformed, truncated or in an unsupported format.</exception>
    public static WavAudio Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] image;
        try
        {
            image = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw WavFormatException.For(path, "file not found", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WavFormatException.For(path, $"cannot be read: {ex.Message}", ex);
        }

        return WavDecoder.Decode(image, path);
    }

    /// <summary>Reads and decodes a WAV image from the stream's current position to its end.</summary>
    /// <param name="stream">The stream; it is read to the end and not disposed.</param>
    /// <param name="sourceName">A name for error messages (a file name or URL); null when there is none.</param>
    /// <exception cref="WavFormatException">The image is malformed, truncated or in an unsupported format.</exception>
    public static WavAudio Read(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            var start = (int)memory.Position;
            var image = buffer.AsSpan(Math.Min(start, buffer.Count));
            memory.Position = memory.Length;
            return WavDecoder.Decode(image, sourceName);
        }

        using var copy = stream.CanSeek ? new MemoryStream(CapacityFor(stream)) : new MemoryStream();
        stream.CopyTo(copy);
        return WavDecoder.Decode(copy.GetBuffer().AsSpan(0, (int)copy.Length), sourceName);

        static int CapacityFor(Stream seekable) => (int)Math.Clamp(seekable.Length - seekable.Position, 0, Array.MaxLength);
    }

    /// <summary>Writes interleaved samples as a complete WAV file, replacing any file at <paramref name="path"/>.</summary>
    public static void Write(string path, ReadOnlySpan<float> interleaved, int sampleRate, int channels, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(file, interleaved, sampleRate, channels, format);
    }

    /// <summary>Writes interleaved samples as a complete WAV image at the stream's position. The stream need not seek
    /// (the sizes are known up front) and is not disposed.</summary>
    /// <exception cref="ArgumentException">The samples are not whole frames, or the audio does not fit a 4 GiB WAV file.</exception>
    public static void Write(Stream stream, ReadOnlySpan<float> interleaved, int sampleRate, int channels, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WavStreamWriter.CheckFormat(sampleRate, channels, format);
        if (interleaved.Length % channels != 0)
        {
            throw new ArgumentException(
                $"{interleaved.Length} samples is not a whole number of {channels}-channel frames.", nameof(interleaved));
        }

        var dataBytes = (long)interleaved.Length * WavSampleCodec.BytesPerSample(format);
        if (dataBytes > WavHeader.MaxDataBytes(format))
        {
            throw new ArgumentException($"{dataBytes} bytes of audio do not fit in a WAV file (4 GiB limit).", nameof(interleaved));
        }

        Span<byte> header = stackalloc byte[WavHeader.Length(format)];
        WavHeader.Write(header, format, sampleRate, channels, (uint)dataBytes, (uint)(interleaved.Length / channels));
        stream.Write(header);
        WavStreamWriter.WriteSamples(stream, interleaved, format, new byte[WavStreamWriter.ScratchBytes]);
        if ((dataBytes & 1) != 0)
        {
            stream.WriteByte(0);
        }

        stream.Flush();
    }
}
