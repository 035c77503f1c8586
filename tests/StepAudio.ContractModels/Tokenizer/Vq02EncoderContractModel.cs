using StepAudio.ContractModels.Onnx;

namespace StepAudio.ContractModels.Tokenizer;

/// <summary>
/// A stand-in for <c>vq02/encoder.onnx</c> with the contract's inputs and outputs (see
/// engine/models/CONTRACT.md). Its weights are generated inside the graph from sine formulas, so
/// the file stays a few KB, and every input changes the output: the speech frames through a
/// fixed pseudo-random projection, the left context through its mean, the caches through their
/// means, the start index as an offset; the caches shift by the chunk's frames.
/// </summary>
public static class Vq02EncoderContractModel
{
    /// <summary>Encoder layers carried in the caches.</summary>
    public const int Layers = 2;

    /// <summary>Heads x head size of the caches (512 in the real model; small here).</summary>
    public const int CacheWidth = 8;

    /// <summary>LFR frames of key/value look-back (4 chunks x 4 frames).</summary>
    public const int LookBack = 16;

    /// <summary>Encoder input frames preceding each chunk.</summary>
    public const int LeftContext = 5;

    /// <summary>LFR+CMVN input width.</summary>
    public const int InputDim = 560;

    /// <summary>Encoder output width.</summary>
    public const int OutputDim = 512;

    /// <summary>
    /// Builds the model; <paramref name="layers"/> and <paramref name="cacheWidth"/> vary the cache
    /// shape, <paramref name="inputDim"/> other than 560 builds a deliberately non-conforming model.
    /// </summary>
    public static byte[] Build(int layers = Layers, int cacheWidth = CacheWidth, int inputDim = InputDim)
    {
        var g = new OnnxGraphBuilder("vq02_encoder_contract");
        g.Input("speech", OnnxGraphBuilder.TensorFloat, 1, "T", inputDim)
            .Input("left_context", OnnxGraphBuilder.TensorFloat, 1, LeftContext, inputDim)
            .Input("start_index", OnnxGraphBuilder.TensorInt64, 1)
            .Input("cache_k", OnnxGraphBuilder.TensorFloat, layers, 1, LookBack, cacheWidth)
            .Input("cache_v", OnnxGraphBuilder.TensorFloat, layers, 1, LookBack, cacheWidth)
            .Output("encoder_out", OnnxGraphBuilder.TensorFloat, 1, "T", OutputDim)
            .Output("next_cache_k", OnnxGraphBuilder.TensorFloat, layers, 1, LookBack, cacheWidth)
            .Output("next_cache_v", OnnxGraphBuilder.TensorFloat, layers, 1, LookBack, cacheWidth)
            .Output("next_start_index", OnnxGraphBuilder.TensorInt64, 1);

        var projection = GraphMath.SineMatrix(g, inputDim, OutputDim, 0.0137f, 0.31f, 0.013f, 2f / MathF.Sqrt(inputDim));
        var context = g.Node("ReduceMean", ["left_context"], null, ("axes", new long[] { 1 }), ("keepdims", 1));
        var mixed = g.Node("Add", ["speech", g.Node("Mul", [context, g.Scalar(0.5f)])]);
        var hidden = g.Node("MatMul", [mixed, projection]);

        var cacheK = g.Node("ReduceMean", ["cache_k"], null, ("keepdims", 0));
        var cacheV = g.Node("ReduceMean", ["cache_v"], null, ("keepdims", 0));
        var position = g.Node("Mul", [g.Node("Cast", ["start_index"], null, ("to", OnnxGraphBuilder.TensorFloat)), g.Scalar(0.05f)]);
        hidden = g.Node("Add", [hidden, g.Node("Mul", [cacheK, g.Scalar(0.7f)])]);
        hidden = g.Node("Sub", [hidden, g.Node("Mul", [cacheV, g.Scalar(0.4f)])]);
        hidden = g.Node("Add", [hidden, position]);
        g.Node("Tanh", [hidden], "encoder_out");

        // New cache rows from this chunk's frames, scaled per layer, appended and trimmed to the look-back.
        var rowWeights = GraphMath.SineMatrix(g, inputDim, cacheWidth, 0.021f, 0.5f, 0.17f, 1f / MathF.Sqrt(inputDim));
        var rows = g.Node("Tanh", [g.Node("MatMul", ["speech", rowWeights])]);
        var perLayer = g.Node("Unsqueeze", [rows, g.Constant([0L], 1)]);
        var kScale = new float[layers];
        var vScale = new float[layers];
        for (var l = 0; l < layers; l++)
        {
            kScale[l] = (l + 1) * 0.5f;
            vScale[l] = -(l + 1) * 0.25f;
        }

        AppendAndTrim(g, "cache_k", g.Node("Mul", [perLayer, g.Constant(kScale, layers, 1, 1, 1)]), "next_cache_k");
        AppendAndTrim(g, "cache_v", g.Node("Mul", [perLayer, g.Constant(vScale, layers, 1, 1, 1)]), "next_cache_v");

        var frames = g.Node("Shape", ["speech"], null, ("start", 1L), ("end", 2L));
        g.Node("Add", ["start_index", frames], "next_start_index");
        return g.Build(new Dictionary<string, string> { ["stepaudio.contract"] = "vq02-encoder", ["stepaudio.contract.version"] = "1" });
    }

    private static void AppendAndTrim(OnnxGraphBuilder g, string cache, string rows, string output)
    {
        var joined = g.Node("Concat", [cache, rows], null, ("axis", 2L));
        g.Node("Slice", [joined, g.Constant([(long)-LookBack], 1), g.Constant([long.MaxValue], 1), g.Constant([2L], 1)], output);
    }
}
