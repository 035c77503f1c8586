using Microsoft.ML.OnnxRuntime;

namespace StepAudio.Engine.Inference;

/// <summary>A loaded, checked and warmed ONNX model. Owns its session.</summary>
public sealed class OnnxModel : IDisposable
{
    internal OnnxModel(string path, ModelSignature signature, InferenceSession session, ExecutionTarget provider, string? fallbackReason)
    {
        Path = path;
        Signature = signature;
        Session = session;
        Provider = provider;
        FallbackReason = fallbackReason;
        InputNames = [.. session.InputNames];
        OutputNames = [.. session.OutputNames];
    }

    /// <summary>The file the model was loaded from.</summary>
    public string Path { get; }

    /// <summary>The signature it was checked against.</summary>
    public ModelSignature Signature { get; }

    /// <summary>The session. Stages bind their buffers to it once and run it per frame.</summary>
    public InferenceSession Session { get; }

    /// <summary>The provider the session actually uses.</summary>
    public ExecutionTarget Provider { get; }

    /// <summary>Why CUDA was asked for but the CPU is used; null when nothing fell back.</summary>
    public string? FallbackReason { get; }

    /// <summary>Input names in the model's order (positional specs resolve through this).</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>Output names in the model's order.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <inheritdoc />
    public void Dispose() => Session.Dispose();
}
