namespace StepAudio.Engine.Tools;

/// <summary>A tool could not do its job (its service failed or answered nonsense); <see cref="Spoken"/> says so to the user.</summary>
public class ToolUnavailableException : Exception
{
    public ToolUnavailableException()
        : this("The tool is unavailable.")
    {
    }

    public ToolUnavailableException(string message)
        : this(message, "Sorry, that service is not available right now.")
    {
    }

    public ToolUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Spoken = "Sorry, that service is not available right now.";
    }

    public ToolUnavailableException(string message, string spoken, Exception? innerException = null)
        : base(message, innerException)
    {
        Spoken = spoken;
    }

    /// <summary>The honest sentence for the user.</summary>
    public string Spoken { get; }
}
