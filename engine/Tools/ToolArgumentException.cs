namespace StepAudio.Engine.Tools;

/// <summary>A tool call's arguments are missing, of the wrong type or out of range; the message names the field.</summary>
internal sealed class ToolArgumentException : Exception
{
    public ToolArgumentException()
    {
    }

    public ToolArgumentException(string message)
        : base(message)
    {
    }

    public ToolArgumentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
