namespace StepAudio.Ops.Fleet;

/// <summary>The link's settings cannot be used as they are (an unreadable certificate or key file, say); the message names the setting.</summary>
public sealed class FleetLinkConfigurationException : Exception
{
    public FleetLinkConfigurationException()
    {
    }

    public FleetLinkConfigurationException(string message)
        : base(message)
    {
    }

    public FleetLinkConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
