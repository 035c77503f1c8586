namespace StepAudio.Engine.Vocoder;

/// <summary>A vocoder profile's <c>vocoder.json</c> is missing, unreadable, or has a field that is absent or out of range.</summary>
public sealed class VocoderConfigException : Exception
{
    public VocoderConfigException()
    {
    }

    public VocoderConfigException(string message)
        : base(message)
    {
    }

    public VocoderConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
