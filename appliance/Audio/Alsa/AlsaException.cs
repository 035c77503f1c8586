namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>A libasound call failed or a device cannot do what the options ask; <see cref="ErrorCode"/> is the negative code.</summary>
public sealed class AlsaException : Exception
{
    public AlsaException()
    {
    }

    public AlsaException(string message)
        : base(message)
    {
    }

    public AlsaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private AlsaException(string message, string device, int errorCode)
        : base(message)
    {
        Device = device;
        ErrorCode = errorCode;
    }

    /// <summary>The PCM name the failure concerns.</summary>
    public string? Device { get; }

    /// <summary>The negative errno-style code libasound returned, or 0.</summary>
    public int ErrorCode { get; }

    internal static AlsaException CallFailed(string device, string operation, int errorCode) =>
        new($"ALSA device '{device}': {operation} failed: {LibAsound.StrError(errorCode)} ({errorCode}).", device, errorCode);

    internal static AlsaException Unsupported(string device, string what, int errorCode) =>
        new($"ALSA device '{device}': {what}", device, errorCode);
}
