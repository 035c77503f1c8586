namespace StepAudio.Engine.Models;

/// <summary>A pinned model file is missing, truncated or not the file that was pinned. The device never runs it.</summary>
public sealed class ModelIntegrityException : Exception
{
    public ModelIntegrityException()
    {
    }

    public ModelIntegrityException(string message)
        : base(message)
    {
    }

    public ModelIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The model's cache path.</summary>
    public string? FilePath { get; init; }

    /// <summary>The pinned sha256.</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>The file's actual sha256; null when the file is missing.</summary>
    public string? ActualSha256 { get; init; }
}
