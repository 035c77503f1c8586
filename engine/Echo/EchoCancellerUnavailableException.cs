namespace StepAudio.Engine.Echo;

/// <summary>The echo canceller cannot run here: SpeexDSP is not installed or would not start.</summary>
public sealed class EchoCancellerUnavailableException : Exception
{
    public EchoCancellerUnavailableException()
    {
    }

    public EchoCancellerUnavailableException(string message)
        : base(message)
    {
    }

    public EchoCancellerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
