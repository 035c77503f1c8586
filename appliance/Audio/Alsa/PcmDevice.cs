namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>Which way samples flow through a PCM.</summary>
internal enum PcmDirection
{
    Playback = LibAsound.StreamPlayback,
    Capture = LibAsound.StreamCapture,
}

/// <summary>What to open and the parameters to ask for; the device may agree to others (see <see cref="IPcmDevice.Format"/>).</summary>
internal sealed record PcmRequest(
    string Device, PcmDirection Direction, AlsaSampleFormat SampleFormat, int SampleRate, int Channels, int PeriodFrames, int BufferFrames);

/// <summary>Opens PCMs. The seam between the audio loops and libasound, so tests can inject faults libasound cannot produce.</summary>
internal interface IPcmOpener
{
    /// <summary>Opens and configures the device (interleaved read/write access), leaving it prepared.</summary>
    /// <exception cref="AlsaException">The device cannot be opened or cannot take the requested format or channels.</exception>
    IPcmDevice Open(PcmRequest request);
}

/// <summary>One open, configured PCM. Every call returns libasound's result: a count, or a negative error code.</summary>
internal interface IPcmDevice : IDisposable
{
    AudioStreamFormat Format { get; }

    AlsaSampleFormat SampleFormat { get; }

    /// <summary>snd_pcm_readi: reads up to <paramref name="frames"/> interleaved frames into <paramref name="buffer"/>.</summary>
    int Read(Span<byte> buffer, int frames);

    /// <summary>snd_pcm_writei: writes up to <paramref name="frames"/> interleaved frames from <paramref name="buffer"/>.</summary>
    int Write(ReadOnlySpan<byte> buffer, int frames);

    /// <summary>snd_pcm_recover (silently): brings the stream back after an xrun or suspend.</summary>
    int Recover(int error);

    int Prepare();

    /// <summary>snd_pcm_drain: blocks until what was written has played.</summary>
    int Drain();

    /// <summary>snd_pcm_drop: stops at once and discards what is queued.</summary>
    int Drop();

    /// <summary>snd_pcm_rewindable: queued frames that can still be taken back.</summary>
    int Rewindable();

    /// <summary>snd_pcm_rewind: takes back up to <paramref name="frames"/> queued frames; returns how many.</summary>
    int Rewind(int frames);
}
