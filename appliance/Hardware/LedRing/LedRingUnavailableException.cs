namespace StepAudio.Appliance.Hardware.LedRing;

/// <summary>The LED ring's SPI device cannot be opened; the message names the device and the options to check.</summary>
public sealed class LedRingUnavailableException : Exception
{
    public LedRingUnavailableException()
    {
    }

    public LedRingUnavailableException(string message)
        : base(message)
    {
    }

    public LedRingUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
