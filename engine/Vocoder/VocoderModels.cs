using Microsoft.ML.OnnxRuntime.Tensors;
using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Vocoder;

/// <summary>
/// The six models of a vocoder profile, loaded once and shared by every session (ONNX Runtime sessions
/// are safe to run concurrently; each vocoder session brings its own buffers). File names and tensor
/// names are those of engine/models/CONTRACT.md (vocoder sections).
/// </summary>
internal sealed class VocoderModels : IDisposable
{
    public const string FlowEncoderFile = "flow_encoder.onnx";
    public const string FlowRegulatorFile = "flow_regulator.onnx";
    public const string SpeakerAffineFile = "spk_affine.onnx";
    public const string FlowEstimatorFile = "flow_estimator.onnx";
    public const string HiftFile = "hift.onnx";
    public const string CampPlusFile = "campplus.onnx";

    private readonly List<OnnxModel> _loaded = [];

    private VocoderModels(VocoderProfile profile)
    {
        Profile = profile;
    }

    public VocoderProfile Profile { get; }

    /// <summary>Every loaded model, in load order.</summary>
    public IReadOnlyList<OnnxModel> All => _loaded;

    /// <summary>The provider each model's session got, by file name.</summary>
    public IReadOnlyDictionary<string, ExecutionTarget> Providers { get; private set; } = new Dictionary<string, ExecutionTarget>();

    public OnnxModel FlowEncoder { get; private set; } = null!;

    public OnnxModel FlowRegulator { get; private set; } = null!;

    public OnnxModel SpeakerAffine { get; private set; } = null!;

    public OnnxModel FlowEstimator { get; private set; } = null!;

    public OnnxModel Hift { get; private set; } = null!;

    public OnnxModel CampPlus { get; private set; } = null!;

    /// <summary>Loads and checks every model; on failure disposes what was loaded and rethrows.</summary>
    public static VocoderModels Load(string directory, VocoderProfile profile, OnnxSessionFactory factory, InferenceOptions inference)
    {
        var models = new VocoderModels(profile);
        try
        {
            // Warm-up runs need all six models together; the vocoder does one whole pass after loading.
            var noWarmUp = new InferenceOptions
            {
                IntraOpThreads = inference.IntraOpThreads,
                InterOpThreads = inference.InterOpThreads,
                Provider = inference.Provider,
                CudaDeviceId = inference.CudaDeviceId,
                WarmUp = false,
            };
            var bins = profile.MelBins;
            int[] tokenDims = profile.TokenWidth == 1 ? [1, -1] : [1, -1, profile.TokenWidth];
            models.FlowEncoder = models.Add(factory, directory, FlowEncoderFile, noWarmUp, new ModelSignature(
                "vocoder flow encoder",
                [new TensorSpec("tokens", TensorElementType.Int64, tokenDims), new TensorSpec("token_len", TensorElementType.Int32, 1)],
                [new TensorSpec("h", TensorElementType.Float, 1, -1, bins)]));
            models.FlowRegulator = models.Add(factory, directory, FlowRegulatorFile, noWarmUp, new ModelSignature(
                "vocoder flow length regulator",
                [new TensorSpec("h", TensorElementType.Float, 1, bins, -1)],
                [new TensorSpec("mu", TensorElementType.Float, 1, bins, -1)]));
            models.SpeakerAffine = models.Add(factory, directory, SpeakerAffineFile, noWarmUp, new ModelSignature(
                "vocoder speaker projection",
                [new TensorSpec("embedding", TensorElementType.Float, 1, profile.SpeakerEmbeddingDim)],
                [new TensorSpec("spks", TensorElementType.Float, 1, bins)]));
            models.FlowEstimator = models.Add(factory, directory, FlowEstimatorFile, noWarmUp, new ModelSignature(
                "vocoder flow estimator",
                [
                    new TensorSpec("x", TensorElementType.Float, -1, bins, -1),
                    new TensorSpec("mask", TensorElementType.Float, -1, 1, -1),
                    new TensorSpec("mu", TensorElementType.Float, -1, bins, -1),
                    new TensorSpec("t", TensorElementType.Float, -1),
                    new TensorSpec("spks", TensorElementType.Float, -1, bins),
                    new TensorSpec("cond", TensorElementType.Float, -1, bins, -1),
                ],
                // The official export calls it estimator_out; any name is accepted.
                [new TensorSpec(null, TensorElementType.Float, -1, bins, -1)]));
            models.Hift = models.Add(factory, directory, HiftFile, noWarmUp, new ModelSignature(
                "vocoder HiFT",
                [new TensorSpec("mel", TensorElementType.Float, 1, bins, -1), new TensorSpec("cache_source", TensorElementType.Float, 1, 1, -1)],
                [new TensorSpec("pcm", TensorElementType.Float, 1, -1), new TensorSpec("source", TensorElementType.Float, 1, 1, -1)]));
            models.CampPlus = models.Add(factory, directory, CampPlusFile, noWarmUp, new ModelSignature(
                "vocoder CAM++ speaker embedding",
                // CosyVoice's published campplus.onnx: tensor names are read by position.
                [new TensorSpec(null, TensorElementType.Float, -1, -1, 80)],
                [new TensorSpec(null, TensorElementType.Float, -1, profile.SpeakerEmbeddingDim)]));
            var providers = new Dictionary<string, ExecutionTarget>(StringComparer.Ordinal);
            foreach (var model in models._loaded)
            {
                providers[Path.GetFileName(model.Path)] = model.Provider;
            }

            models.Providers = providers;
            return models;
        }
        catch
        {
            models.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var model in _loaded)
        {
            model.Dispose();
        }

        _loaded.Clear();
    }

    private OnnxModel Add(OnnxSessionFactory factory, string directory, string file, InferenceOptions options, ModelSignature signature)
    {
        var model = factory.Load(Path.Combine(directory, file), signature, options);
        _loaded.Add(model);
        return model;
    }
}
