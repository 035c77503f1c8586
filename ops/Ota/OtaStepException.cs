namespace StepAudio.Ops.Ota;

/// <summary>A step of the update cannot go on; <see cref="Reason"/> is what the fleet is told.</summary>
public sealed class OtaStepException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OtaStepException(OtaReason reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
    }

    /// <summary>Creates the exception.</summary>
    public OtaStepException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public OtaStepException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public OtaStepException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the step stopped.</summary>
    public OtaReason Reason { get; }
}
