using StepAudio.ContractModels.Onnx;

namespace StepAudio.ContractModels.Vocoder;

/// <summary>
/// Deterministic, tiny stand-ins for the vocoder profile's six models, with the tensor names and shapes
/// of engine/models/CONTRACT.md (vocoder sections). Each uses its inputs smoothly, so the vocoder's plumbing
/// (interpolation, guidance, caches, fades) has a visible effect on the output: the flow converges
/// towards its mu, and HiFT turns each mel frame into a sum of sinusoids that start and end every frame
/// at zero, a continuous audible signal.
/// </summary>
public static class VocoderContractModels
{
    public const int MelBins = 80;
    public const int Hop = 256;
    public const int SampleRate = 22050;
    public const int VocabSize = 5120;
    public const int SpeakerDim = 192;
    public const int FbankBins = 80;

    /// <summary>v2 (Step-Audio-EditX): 24 kHz, 480 samples per mel frame.</summary>
    public const int V2Hop = 480;

    /// <summary>v2 output rate.</summary>
    public const int V2SampleRate = 24000;

    /// <summary>v2 pair values: vq02 0..1023, the pad 1024, vq06 shifted to 1025..5120.</summary>
    public const int V2VocabSize = 5121;

    private const int EmbeddingDim = 16;

    /// <summary>
    /// The v1 profile config the stand-ins follow: Step-Audio's interleaved ids straight into the flow.
    /// The first chunk is 10 tokens with 5 of look-ahead (the first sound after 15 ids, 0.36 s of speech)
    /// and holds 6 of its 20 mel frames back for HiFT; later chunks run 40, 80, 160 tokens with 20 of overlap.
    /// </summary>
    public const string V1ProfileJson = """
        {
          "profile": "v1",
          "sampleRate": 22050,
          "melBins": 80,
          "hop": 256,
          "tokenRate": 41.666666666666664,
          "vocabSize": 5120,
          "tokenLayout": "interleaved",
          "encoderFramesPerToken": 1,
          "flowSteps": 10,
          "cfgRate": 0.7,
          "speakerEmbeddingDim": 192,
          "firstChunkTokens": 10,
          "firstLookAheadTokens": 5,
          "chunkTokens": 40,
          "maxChunkTokens": 160,
          "overlapTokens": 20,
          "hiftCacheFrames": 20,
          "firstHiftCacheFrames": 6
        }
        """;

    /// <summary>
    /// The v2 (Step-Audio-EditX) profile config: 24 kHz, hop 480, 25 Hz (vq02, vq06) pairs, chunks of
    /// 15/24/48 tokens, HiFT mel cache 8 frames; the first chunk looks 3 tokens ahead.
    /// </summary>
    public const string V2ProfileJson = """
        {
          "profile": "v2",
          "sampleRate": 24000,
          "melBins": 80,
          "hop": 480,
          "tokenRate": 25,
          "vocabSize": 5121,
          "tokenLayout": "v2-pairs",
          "encoderFramesPerToken": 2,
          "flowSteps": 10,
          "cfgRate": 0.7,
          "speakerEmbeddingDim": 192,
          "firstChunkTokens": 15,
          "firstLookAheadTokens": 3,
          "chunkTokens": 24,
          "maxChunkTokens": 48,
          "overlapTokens": 10,
          "hiftCacheFrames": 8,
          "firstHiftCacheFrames": 8
        }
        """;

    /// <summary>Writes <c>{directory}/vocoder/v1/</c> and <c>{directory}/vocoder/v2/</c>: vocoder.json and the six models each.</summary>
    public static void WriteAll(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        WriteV1(directory);
        WriteV2(directory);
    }

    /// <summary>Writes <c>{directory}/vocoder/v1/</c>.</summary>
    public static void WriteV1(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var profile = Path.Combine(directory, "vocoder", "v1");
        Directory.CreateDirectory(profile);
        File.WriteAllText(Path.Combine(profile, "vocoder.json"), V1ProfileJson);
        File.WriteAllBytes(Path.Combine(profile, "flow_encoder.onnx"), BuildFlowEncoder(VocabSize, MelBins));
        WriteShared(profile, "v1", Hop, SampleRate);
    }

    /// <summary>Writes <c>{directory}/vocoder/v2/</c>: the same models at 24 kHz / hop 480, the encoder taking <c>[1,N,2]</c> pairs.</summary>
    public static void WriteV2(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var profile = Path.Combine(directory, "vocoder", "v2");
        Directory.CreateDirectory(profile);
        File.WriteAllText(Path.Combine(profile, "vocoder.json"), V2ProfileJson);
        File.WriteAllBytes(Path.Combine(profile, "flow_encoder.onnx"), BuildPairFlowEncoder(V2VocabSize, MelBins));
        WriteShared(profile, "v2", V2Hop, V2SampleRate);
    }

    private static void WriteShared(string profile, string name, int hop, int sampleRate)
    {
        File.WriteAllBytes(Path.Combine(profile, "flow_regulator.onnx"), BuildFlowRegulator(MelBins));
        File.WriteAllBytes(Path.Combine(profile, "spk_affine.onnx"), BuildSpeakerAffine(SpeakerDim, MelBins));
        File.WriteAllBytes(Path.Combine(profile, "flow_estimator.onnx"), BuildFlowEstimator(MelBins));
        File.WriteAllBytes(Path.Combine(profile, "hift.onnx"), BuildHift(MelBins, hop, sampleRate, name));
        File.WriteAllBytes(Path.Combine(profile, "campplus.onnx"), BuildCampPlus(FbankBins, SpeakerDim));
    }

    /// <summary>tokens int64 [1,N] + token_len int32 [1] -> h [1,N,bins]: embedding Gather, tanh(MatMul), mask from token_len, around a log-mel-like level.</summary>
    public static byte[] BuildFlowEncoder(int vocabSize, int melBins)
    {
        var g = new OnnxGraphBuilder("flow_encoder")
            .Input("tokens", OnnxGraphBuilder.TensorInt64, 1, "N")
            .Input("token_len", OnnxGraphBuilder.TensorInt32, 1)
            .Output("h", OnnxGraphBuilder.TensorFloat, 1, "N", melBins);
        var table = g.Constant(Random(1, vocabSize * EmbeddingDim, 1f), vocabSize, EmbeddingDim);
        var projection = g.Constant(Random(2, EmbeddingDim * melBins, 0.5f), EmbeddingDim, melBins);
        var embedded = g.Node("Gather", [table, "tokens"], attributes: ("axis", 0));
        var vectors = g.Node("Tanh", [g.Node("MatMul", [embedded, projection])]);
        var shaped = g.Node("Add", [g.Node("Mul", [vectors, g.Scalar(1.5f)]), g.Scalar(-4f)]);

        // Positions at or past token_len are zeroed, as the real encoder masks padding.
        var count = g.Node("Gather", [g.Node("Shape", ["tokens"]), g.Constant([1L])], attributes: ("axis", 0));
        var positions = g.Node("Range", [g.Constant([0L]), count, g.Constant([1L])]);
        var valid = g.Node("Less", [positions, g.Node("Cast", ["token_len"], attributes: ("to", OnnxGraphBuilder.TensorInt64))]);
        var mask = g.Node("Reshape", [g.Node("Cast", [valid], attributes: ("to", OnnxGraphBuilder.TensorFloat)), g.Constant([1L, -1L, 1L], 3)]);
        g.Node("Mul", [shaped, mask], "h");
        return g.Build(Metadata("flow_encoder"));
    }

    /// <summary>
    /// tokens int64 [1,N,2] + token_len int32 [1] -> h [1,2N,bins]: both columns through one embedding table,
    /// weighted 1 and 0.6 (so swapping a pair changes the output), summed, then as <see cref="BuildFlowEncoder"/>,
    /// each token's vector repeated for its two 50 Hz mel frames (the v2 encoder upsamples itself).
    /// </summary>
    public static byte[] BuildPairFlowEncoder(int vocabSize, int melBins)
    {
        var g = new OnnxGraphBuilder("flow_encoder")
            .Input("tokens", OnnxGraphBuilder.TensorInt64, 1, "N", 2)
            .Input("token_len", OnnxGraphBuilder.TensorInt32, 1)
            .Output("h", OnnxGraphBuilder.TensorFloat, 1, "F", melBins);
        var table = g.Constant(Random(1, vocabSize * EmbeddingDim, 1f), vocabSize, EmbeddingDim);
        var projection = g.Constant(Random(2, EmbeddingDim * melBins, 0.5f), EmbeddingDim, melBins);
        var embedded = g.Node("Gather", [table, "tokens"], attributes: ("axis", 0)); // [1,N,2,E]
        var weighted = g.Node("Mul", [embedded, g.Constant([1f, 0.6f], 2, 1)]);
        var summed = g.Node("ReduceSum", [weighted, g.Constant([2L], 1)], attributes: ("keepdims", 0)); // [1,N,E]
        var vectors = g.Node("Tanh", [g.Node("MatMul", [summed, projection])]);
        var shaped = g.Node("Add", [g.Node("Mul", [vectors, g.Scalar(1.5f)]), g.Scalar(-4f)]);
        var count = g.Node("Gather", [g.Node("Shape", ["tokens"]), g.Constant([1L])], attributes: ("axis", 0));
        var positions = g.Node("Range", [g.Constant([0L]), count, g.Constant([1L])]);
        var valid = g.Node("Less", [positions, g.Node("Cast", ["token_len"], attributes: ("to", OnnxGraphBuilder.TensorInt64))]);
        var mask = g.Node("Reshape", [g.Node("Cast", [valid], attributes: ("to", OnnxGraphBuilder.TensorFloat)), g.Constant([1L, -1L, 1L], 3)]);
        var perToken = g.Node("Unsqueeze", [g.Node("Mul", [shaped, mask]), g.Constant([2L], 1)]); // [1,N,1,bins]
        var twice = g.Node("Concat", [perToken, perToken], attributes: ("axis", 2));
        g.Node("Reshape", [twice, g.Constant([1L, -1L, melBins], 3)], "h");
        return g.Build(Metadata("flow_encoder", "v2"));
    }

    /// <summary>h [1,bins,T] -> mu [1,bins,T]: h + 0.5 tanh(Conv1d k3): a little time context with zero padding at the edges.</summary>
    public static byte[] BuildFlowRegulator(int melBins)
    {
        var g = new OnnxGraphBuilder("flow_regulator")
            .Input("h", OnnxGraphBuilder.TensorFloat, 1, melBins, "T")
            .Output("mu", OnnxGraphBuilder.TensorFloat, 1, melBins, "T");
        var weights = Random(3, melBins * melBins * 3, 0.02f);
        for (var c = 0; c < melBins; c++)
        {
            // A smoothing kernel on the diagonal.
            weights[(((c * melBins) + c) * 3) + 0] += 0.1f;
            weights[(((c * melBins) + c) * 3) + 1] += 0.2f;
            weights[(((c * melBins) + c) * 3) + 2] += 0.1f;
        }

        var conv = g.Node("Conv", ["h", g.Constant(weights, melBins, melBins, 3), g.Constant(new float[melBins], melBins)], attributes: [("kernel_shape", new[] { 3 }), ("pads", new[] { 1, 1 })]);
        g.Node("Add", ["h", g.Node("Mul", [g.Node("Tanh", [conv]), g.Scalar(0.5f)])], "mu");
        return g.Build(Metadata("flow_regulator"));
    }

    /// <summary>embedding [1,192] (already L2-normalised by the stage) -> spks [1,bins]: the affine layer.</summary>
    public static byte[] BuildSpeakerAffine(int speakerDim, int melBins)
    {
        var g = new OnnxGraphBuilder("spk_affine")
            .Input("embedding", OnnxGraphBuilder.TensorFloat, 1, speakerDim)
            .Output("spks", OnnxGraphBuilder.TensorFloat, 1, melBins);
        var product = g.Node("MatMul", ["embedding", g.Constant(Random(4, speakerDim * melBins, 0.3f), speakerDim, melBins)]);
        g.Node("Add", [product, g.Constant(Random(5, melBins, 0.1f), melBins)], "spks");
        return g.Build(Metadata("spk_affine"));
    }

    /// <summary>The official estimator signature; v = (A x + B mu + C cond + 0.002 sum_t cond + 0.05 spks + 0.1 t) * mask with A near -3 I and B near I.</summary>
    public static byte[] BuildFlowEstimator(int melBins)
    {
        var g = new OnnxGraphBuilder("flow_estimator")
            .Input("x", OnnxGraphBuilder.TensorFloat, 2, melBins, "T")
            .Input("mask", OnnxGraphBuilder.TensorFloat, 2, 1, "T")
            .Input("mu", OnnxGraphBuilder.TensorFloat, 2, melBins, "T")
            .Input("t", OnnxGraphBuilder.TensorFloat, 2)
            .Input("spks", OnnxGraphBuilder.TensorFloat, 2, melBins)
            .Input("cond", OnnxGraphBuilder.TensorFloat, 2, melBins, "T")
            .Output("estimator_out", OnnxGraphBuilder.TensorFloat, 2, melBins, "T");
        var a = g.Constant(Diagonal(6, melBins, -3f, 0.01f), melBins, melBins);
        var b = g.Constant(Diagonal(7, melBins, 1f, 0.01f), melBins, melBins);
        var c = g.Constant(Diagonal(8, melBins, 0.2f, 0.005f), melBins, melBins);
        var sum = g.Node("Add", [g.Node("MatMul", [a, "x"]), g.Node("MatMul", [b, "mu"])]);
        sum = g.Node("Add", [sum, g.Node("MatMul", [c, "cond"])]);

        // The prompt reaches every frame, as the real estimator's attention lets it: a sum over time (not a
        // mean) of cond, which is zero past the prompt, so it is the same in every streaming window.
        var promptSum = g.Node("ReduceSum", ["cond", g.Constant([2L], 1)], attributes: ("keepdims", 1));
        sum = g.Node("Add", [sum, g.Node("Mul", [promptSum, g.Scalar(0.002f)])]);
        var speaker = g.Node("Unsqueeze", ["spks", g.Constant([2L], 1)]);
        sum = g.Node("Add", [sum, g.Node("Mul", [speaker, g.Scalar(0.05f)])]);
        var time = g.Node("Reshape", ["t", g.Constant([-1L, 1L, 1L], 3)]);
        sum = g.Node("Add", [sum, g.Node("Mul", [time, g.Scalar(0.1f)])]);
        g.Node("Mul", [sum, "mask"], "estimator_out");
        return g.Build(Metadata("flow_estimator"));
    }

    /// <summary>
    /// mel [1,bins,T] + cache_source [1,1,S] -> pcm [1,T*hop] + source [1,1,T*hop]. PCM: per frame
    /// 0.3 tanh(mel . W), W's rows sinusoids of whole periods per hop (zero at each frame edge). Source: a
    /// sine whose pitch follows the frame's mean mel, its first S samples replaced by cache_source as
    /// CosyVoice's HiFT does. The stand-in's PCM does not depend on the source.
    /// </summary>
    public static byte[] BuildHift(int melBins, int hop) => BuildHift(melBins, hop, SampleRate, "v1");

    /// <summary><see cref="BuildHift(int, int)"/> for another output rate and profile.</summary>
    public static byte[] BuildHift(int melBins, int hop, int sampleRate, string profile)
    {
        var g = new OnnxGraphBuilder("hift")
            .Input("mel", OnnxGraphBuilder.TensorFloat, 1, melBins, "T")
            .Input("cache_source", OnnxGraphBuilder.TensorFloat, 1, 1, "S")
            .Output("pcm", OnnxGraphBuilder.TensorFloat, 1, "P")
            .Output("source", OnnxGraphBuilder.TensorFloat, 1, 1, "P");
        var basis = new float[melBins * hop];
        for (var c = 0; c < melBins; c++)
        {
            var cycles = 1 + ((c * 3) % 8);
            for (var n = 0; n < hop; n++)
            {
                basis[(c * hop) + n] = 0.02f * MathF.Sin(2 * MathF.PI * cycles * n / hop);
            }
        }

        var frames = g.Node("Transpose", ["mel"], attributes: ("perm", new[] { 0, 2, 1 }));
        var wave = g.Node("Tanh", [g.Node("MatMul", [frames, g.Constant(basis, melBins, hop)])]);
        g.Node("Reshape", [g.Node("Mul", [wave, g.Scalar(0.3f)]), g.Constant([1L, -1L], 2)], "pcm");

        var level = g.Node("ReduceMean", ["mel"], attributes: [("axes", new[] { 1 }), ("keepdims", 0)]);
        var f0 = g.Node("Add", [g.Node("Mul", [g.Node("Tanh", [g.Node("Add", [level, g.Scalar(4f)])]), g.Scalar(30f)]), g.Scalar(120f)]);
        var perSample = g.Node("Mul", [g.Node("Unsqueeze", [f0, g.Constant([2L], 1)]), g.Constant(Enumerable.Repeat(1f, hop).ToArray(), 1, 1, hop)]);
        var increments = g.Node("Mul", [g.Node("Reshape", [perSample, g.Constant([1L, 1L, -1L], 3)]), g.Scalar(2 * MathF.PI / sampleRate)]);
        var sine = g.Node("Mul", [g.Node("Sin", [g.Node("CumSum", [increments, g.Constant([2L])])]), g.Scalar(0.1f)]);
        var cached = g.Node("Gather", [g.Node("Shape", ["cache_source"]), g.Constant([2L], 1)], attributes: ("axis", 0));
        var rest = g.Node("Slice", [sine, cached, g.Constant([long.MaxValue], 1), g.Constant([2L], 1)]);
        g.Node("Concat", ["cache_source", rest], "source", ("axis", 2));
        return g.Build(Metadata("hift", profile));
    }

    /// <summary>fbank [1,T,80] (mean-subtracted) -> embedding [1,192]: per-bin RMS over time, tanh(MatMul).</summary>
    public static byte[] BuildCampPlus(int fbankBins, int speakerDim)
    {
        var g = new OnnxGraphBuilder("campplus")
            .Input("fbank", OnnxGraphBuilder.TensorFloat, 1, "T", fbankBins)
            .Output("embedding", OnnxGraphBuilder.TensorFloat, 1, speakerDim);
        var power = g.Node("ReduceMean", [g.Node("Mul", ["fbank", "fbank"])], attributes: [("axes", new[] { 1 }), ("keepdims", 0)]);
        var rms = g.Node("Sqrt", [power]);
        g.Node("Tanh", [g.Node("MatMul", [rms, g.Constant(Random(9, fbankBins * speakerDim, 0.3f), fbankBins, speakerDim)])], "embedding");
        return g.Build(Metadata("campplus"));
    }

    private static Dictionary<string, string> Metadata(string model, string profile = "v1") => new()
    {
        ["stepaudio.contract"] = $"vocoder/{profile}",
        ["stepaudio.model"] = model,
        ["stepaudio.standin"] = "true",
    };

    private static float[] Random(int seed, int count, float scale)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return values;
    }

    private static float[] Diagonal(int seed, int size, float diagonal, float noise)
    {
        var values = Random(seed, size * size, noise);
        for (var i = 0; i < size; i++)
        {
            values[(i * size) + i] += diagonal;
        }

        return values;
    }
}
