using StepAudio.ContractModels.Onnx;

namespace StepAudio.ContractModels.Tokenizer;

/// <summary>Weights computed inside a graph, so contract models stay a few KB.</summary>
internal static class GraphMath
{
    /// <summary>
    /// A [rows, columns] matrix W[i, j] = scale * sin(a i j + b i + c j), computed at run time:
    /// full rank in practice, deterministic, and free of stored weights.
    /// </summary>
    public static string SineMatrix(OnnxGraphBuilder g, int rows, int columns, float a, float b, float c, float scale)
    {
        var i = g.Node("Reshape", [g.Node("Range", [g.Scalar(0f), g.Scalar(rows), g.Scalar(1f)]), g.Constant([(long)rows, 1L], 2)]);
        var j = g.Node("Range", [g.Scalar(0f), g.Scalar(columns), g.Scalar(1f)]);
        var phase = g.Node("Mul", [g.Node("Mul", [i, j]), g.Scalar(a)]);
        phase = g.Node("Add", [phase, g.Node("Mul", [i, g.Scalar(b)])]);
        phase = g.Node("Add", [phase, g.Node("Mul", [j, g.Scalar(c)])]);
        return g.Node("Mul", [g.Node("Sin", [phase]), g.Scalar(scale)]);
    }
}
