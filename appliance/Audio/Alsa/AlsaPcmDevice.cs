namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>An open libasound PCM.</summary>
internal sealed unsafe class AlsaPcmDevice(SafePcmHandle handle, AudioStreamFormat format, AlsaSampleFormat sampleFormat) : IPcmDevice
{
    private readonly int _frameBytes = format.Channels * sampleFormat.BytesPerSample();

    public AudioStreamFormat Format { get; } = format;

    public AlsaSampleFormat SampleFormat { get; } = sampleFormat;

    public int Read(Span<byte> buffer, int frames)
    {
        CheckSpan(buffer.Length, frames);
        fixed (byte* p = buffer)
        {
            return (int)LibAsound.PcmReadInterleaved(handle, p, (nuint)frames);
        }
    }

    public int Write(ReadOnlySpan<byte> buffer, int frames)
    {
        CheckSpan(buffer.Length, frames);
        fixed (byte* p = buffer)
        {
            return (int)LibAsound.PcmWriteInterleaved(handle, p, (nuint)frames);
        }
    }

    public int Recover(int error) => LibAsound.PcmRecover(handle, error, silent: 1);

    public int Prepare() => LibAsound.PcmPrepare(handle);

    public int Drain() => LibAsound.PcmDrain(handle);

    public int Drop() => LibAsound.PcmDrop(handle);

    public int Rewindable() => (int)LibAsound.PcmRewindable(handle);

    public int Rewind(int frames) => frames <= 0 ? 0 : (int)LibAsound.PcmRewind(handle, (nuint)frames);

    public void Dispose() => handle.Dispose();

    private void CheckSpan(int bytes, int frames)
    {
        // libasound trusts the frame count; a short buffer would be a native overrun.
        if (frames < 0 || (long)frames * _frameBytes > bytes)
        {
            throw new ArgumentOutOfRangeException(nameof(frames), frames, $"{bytes} bytes hold fewer than {frames} frames of {_frameBytes} bytes.");
        }
    }
}
