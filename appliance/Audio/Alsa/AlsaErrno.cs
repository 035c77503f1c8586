namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>The Linux errno values libasound returns (negated) that the audio loops tell apart.</summary>
internal static class AlsaErrno
{
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EAGAIN = 11;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EPIPE = 32;
    public const int EBADFD = 77;
    public const int ESTRPIPE = 86;

    /// <summary>An overrun (capture) or underrun (playback), or a suspend: snd_pcm_recover can bring the stream back.</summary>
    public static bool IsXrun(int error) => error == -EPIPE || error == -ESTRPIPE;

    /// <summary>Interrupted or not ready yet: retry the same call.</summary>
    public static bool IsTransient(int error) => error == -EAGAIN || error == -EINTR;
}
