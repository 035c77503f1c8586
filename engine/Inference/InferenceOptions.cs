using System.ComponentModel.DataAnnotations;

namespace StepAudio.Engine.Inference;

/// <summary>Where a model runs.</summary>
public enum ExecutionTarget
{
    /// <summary>The CPU execution provider.</summary>
    Cpu,

    /// <summary>The CUDA execution provider; falls back to the CPU when CUDA cannot load.</summary>
    Cuda,
}

/// <summary>How one model's ONNX Runtime session is built.</summary>
public sealed class InferenceOptions
{
    /// <summary>Threads inside one operator. The always-on models want 1: they run every 32 ms.</summary>
    [Range(1, 64)]
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Threads across independent operators.</summary>
    [Range(1, 64)]
    public int InterOpThreads { get; set; } = 1;

    /// <summary>The execution provider asked for.</summary>
    public ExecutionTarget Provider { get; set; } = ExecutionTarget.Cpu;

    /// <summary>The CUDA device ordinal when <see cref="Provider"/> is CUDA.</summary>
    [Range(0, 16)]
    public int CudaDeviceId { get; set; }

    /// <summary>Run the model once at load so the first real frame does not pay for lazy initialisation.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>Options for the small recurrent always-on models (VAD, wake word): CPU, one thread.</summary>
    public static InferenceOptions AlwaysOn => new() { IntraOpThreads = 1, InterOpThreads = 1, Provider = ExecutionTarget.Cpu };
}
