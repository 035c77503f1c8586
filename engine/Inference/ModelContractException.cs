namespace StepAudio.Engine.Inference;

/// <summary>A model file is missing, unreadable, or does not have the inputs and outputs its stage expects.</summary>
public sealed class ModelContractException : Exception
{
    public ModelContractException()
    {
    }

    public ModelContractException(string message)
        : base(message)
    {
    }

    public ModelContractException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
