namespace StepAudio.Engine.Audio;

/// <summary>A WAV file or stream is missing, malformed, truncated, or in a format this reader does not decode.</summary>
public sealed class WavFormatException : Exception
{
    public WavFormatException()
    {
    }

    public WavFormatException(string message)
        : base(message)
    {
    }

    public WavFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Builds a message that names the source (when known) before the problem.</summary>
    internal static WavFormatException For(string? sourceName, string problem, Exception? inner = null)
    {
        var message = sourceName is null ? $"WAV stream: {problem}" : $"WAV file '{sourceName}': {problem}";
        return inner is null ? new WavFormatException(message) : new WavFormatException(message, inner);
    }
}
