using StepAudio.ContractModels.Onnx;

namespace StepAudio.ContractModels.Tokenizer;

/// <summary>
/// A stand-in for CosyVoice's <c>speech_tokenizer_v1.onnx</c>: feats float32 [1,128,T] and
/// length int32 [1] in, token ids [1, T/4] out. It keeps the first <c>length</c> frames,
/// average-pools time by 4 (the real model's two stride-2 stages), projects to 4096 logits with
/// an in-graph sine matrix and takes the arg-max.
/// </summary>
public static class Vq06TokenizerContractModel
{
    /// <summary>Codebook size.</summary>
    public const int Vocabulary = 4096;

    /// <summary>Builds the model; int32 or int64 token ids (the contract accepts both).</summary>
    public static byte[] Build(bool int32Output = false)
    {
        var g = new OnnxGraphBuilder("vq06_tokenizer_contract");
        g.Input("feats", OnnxGraphBuilder.TensorFloat, 1, 128, "T")
            .Input("feats_length", OnnxGraphBuilder.TensorInt32, 1)
            .Output("tokens", int32Output ? OnnxGraphBuilder.TensorInt32 : OnnxGraphBuilder.TensorInt64, 1, "T4");

        var length = g.Node("Cast", ["feats_length"], null, ("to", OnnxGraphBuilder.TensorInt64));
        var used = g.Node("Slice", ["feats", g.Constant([0L], 1), length, g.Constant([2L], 1)]);
        var pooled = g.Node("AveragePool", [used], null, ("kernel_shape", new long[] { 4 }), ("strides", new long[] { 4 }));
        var frames = g.Node("Transpose", [pooled], null, ("perm", new long[] { 0, 2, 1 }));
        var logits = g.Node("MatMul", [frames, GraphMath.SineMatrix(g, 128, Vocabulary, 0.0071f, 0.37f, 0.013f, 1f)]);
        if (int32Output)
        {
            var ids = g.Node("ArgMax", [logits], null, ("axis", 2L), ("keepdims", 0L));
            g.Node("Cast", [ids], "tokens", ("to", OnnxGraphBuilder.TensorInt32));
        }
        else
        {
            g.Node("ArgMax", [logits], "tokens", ("axis", 2L), ("keepdims", 0L));
        }

        return g.Build(new Dictionary<string, string> { ["stepaudio.contract"] = "vq06-tokenizer", ["stepaudio.contract.version"] = "1" });
    }
}
