using Microsoft.ML.OnnxRuntime.Tensors;

namespace StepAudio.Engine.Inference;

/// <summary>
/// One tensor a stage expects of a model. <see cref="Name"/> null means "by position" (some
/// published models have unpublished tensor names). A dimension of -1 accepts any size.
/// </summary>
public sealed record TensorSpec(string? Name, TensorElementType ElementType, params int[] Dimensions)
{
    /// <summary>Renders as <c>name: float32[1,-1,80]</c> for error messages.</summary>
    public override string ToString() =>
        $"{Name ?? "(positional)"}: {ElementType.ToString().ToLowerInvariant()}[{string.Join(',', Dimensions)}]";
}

/// <summary>What a stage expects of a model's inputs and outputs.</summary>
public sealed record ModelSignature(string ModelName, IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs);
