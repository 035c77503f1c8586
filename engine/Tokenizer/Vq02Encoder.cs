using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Tokenizer;

/// <summary>
/// The streaming Paraformer encoder of engine/models/CONTRACT.md: one call per chunk of at most
/// 4 new LFR frames, with the 5-frame left context, start index and per-layer key/value caches
/// passed in and out explicitly (the session owns them in a <see cref="Vq02EncoderState"/>).
/// </summary>
internal sealed class Vq02Encoder : IDisposable
{
    public const int InputDim = 560;
    public const int OutputDim = 512;
    public const int LeftContextFrames = 5;
    public const int LookBack = 16;
    public const int MaxChunkFrames = 4;

    public static readonly ModelSignature Signature = new(
        "vq02 encoder",
        [
            new TensorSpec("speech", TensorElementType.Float, 1, -1, InputDim),
            new TensorSpec("left_context", TensorElementType.Float, 1, LeftContextFrames, InputDim),
            new TensorSpec("start_index", TensorElementType.Int64, 1),
            new TensorSpec("cache_k", TensorElementType.Float, -1, 1, LookBack, -1),
            new TensorSpec("cache_v", TensorElementType.Float, -1, 1, LookBack, -1),
        ],
        [
            new TensorSpec("encoder_out", TensorElementType.Float, 1, -1, OutputDim),
            new TensorSpec("next_cache_k", TensorElementType.Float, -1, 1, LookBack, -1),
            new TensorSpec("next_cache_v", TensorElementType.Float, -1, 1, LookBack, -1),
            new TensorSpec("next_start_index", TensorElementType.Int64, 1),
        ]);

    private static readonly string[] InputNames = ["speech", "left_context", "start_index", "cache_k", "cache_v"];
    private static readonly string[] OutputNames = ["encoder_out", "next_cache_k", "next_cache_v", "next_start_index"];

    private readonly OnnxModel _model;
    private readonly long[] _cacheShape;

    private Vq02Encoder(OnnxModel model, int layers, int cacheWidth)
    {
        _model = model;
        Layers = layers;
        CacheWidth = cacheWidth;
        _cacheShape = [layers, 1, LookBack, cacheWidth];
    }

    /// <summary>Encoder layers (L of the cache shape).</summary>
    public int Layers { get; }

    /// <summary>Heads x head size (H*D of the cache shape).</summary>
    public int CacheWidth { get; }

    /// <summary>Where the model runs.</summary>
    public ExecutionTarget Provider => _model.Provider;

    /// <summary>Floats in one cache tensor.</summary>
    public int CacheLength => Layers * LookBack * CacheWidth;

    /// <summary>Loads, checks (names, types, shapes, fixed cache sizes) and warms the model.</summary>
    public static Vq02Encoder Load(string path, OnnxSessionFactory factory, InferenceOptions options)
    {
        var model = factory.Load(path, Signature, options, WarmUp);
        try
        {
            var (layers, width) = ReadCacheShape(model);
            return new Vq02Encoder(model, layers, width);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Encodes <paramref name="frames"/> LFR+CMVN frames, writing <paramref name="frames"/> x 512
    /// values to <paramref name="output"/> and advancing <paramref name="state"/>.
    /// </summary>
    public void Run(ReadOnlySpan<float> speech, int frames, Vq02EncoderState state, Span<float> output)
    {
        if (frames < 1 || frames > MaxChunkFrames)
        {
            throw new ArgumentOutOfRangeException(nameof(frames), frames, $"A vq02 chunk has 1..{MaxChunkFrames} frames.");
        }

        speech[..(frames * InputDim)].CopyTo(state.Speech);
        var outputs = state.Output;
        var info = OrtMemoryInfo.DefaultInstance;
        using var speechValue = OrtValue.CreateTensorValueFromMemory(info, state.Speech.AsMemory(0, frames * InputDim), [1, frames, InputDim]);
        using var contextValue = OrtValue.CreateTensorValueFromMemory(info, state.LeftContext.AsMemory(), [1, LeftContextFrames, InputDim]);
        using var startValue = OrtValue.CreateTensorValueFromMemory(info, state.StartIndex.AsMemory(), [1]);
        using var cacheKValue = OrtValue.CreateTensorValueFromMemory(info, state.CacheK.AsMemory(), _cacheShape);
        using var cacheVValue = OrtValue.CreateTensorValueFromMemory(info, state.CacheV.AsMemory(), _cacheShape);
        using var outValue = OrtValue.CreateTensorValueFromMemory(info, outputs.AsMemory(0, frames * OutputDim), [1, frames, OutputDim]);
        using var nextKValue = OrtValue.CreateTensorValueFromMemory(info, state.SpareK.AsMemory(), _cacheShape);
        using var nextVValue = OrtValue.CreateTensorValueFromMemory(info, state.SpareV.AsMemory(), _cacheShape);
        using var nextStartValue = OrtValue.CreateTensorValueFromMemory(info, state.NextStartIndex.AsMemory(), [1]);
        using var runOptions = new RunOptions();
        _model.Session.Run(
            runOptions,
            InputNames,
            [speechValue, contextValue, startValue, cacheKValue, cacheVValue],
            OutputNames,
            [outValue, nextKValue, nextVValue, nextStartValue]);

        var expectedNext = state.StartIndex[0] + frames;
        if (state.NextStartIndex[0] != expectedNext)
        {
            throw new ModelContractException(
                $"Model '{Signature.ModelName}' at {_model.Path} returned next_start_index {state.NextStartIndex[0]} for start_index {state.StartIndex[0]} and {frames} frames; the contract says {expectedNext}.");
        }

        outputs.AsSpan(0, frames * OutputDim).CopyTo(output);
        state.Advance(speech[..(frames * InputDim)], frames);
    }

    public Vq02EncoderState CreateState() => new(CacheLength);

    public void Dispose() => _model.Dispose();

    private static (int Layers, int Width) ReadCacheShape(OnnxModel model)
    {
        var dims = model.Session.InputMetadata["cache_k"].Dimensions;
        if (dims[0] <= 0 || dims[3] <= 0)
        {
            throw new ModelContractException(
                $"Model '{Signature.ModelName}' at {model.Path}: input 'cache_k' is [{string.Join(',', dims)}]; layers and width must be fixed numbers ([L,1,{LookBack},H*D]).");
        }

        foreach (var (kind, name, metadata) in new[]
        {
            ("input", "cache_v", model.Session.InputMetadata),
            ("output", "next_cache_k", model.Session.OutputMetadata),
            ("output", "next_cache_v", model.Session.OutputMetadata),
        })
        {
            var other = metadata[name].Dimensions;
            if (!other.AsSpan().SequenceEqual(dims))
            {
                throw new ModelContractException(
                    $"Model '{Signature.ModelName}' at {model.Path}: {kind} '{name}' is [{string.Join(',', other)}] but 'cache_k' is [{string.Join(',', dims)}]; the caches must agree.");
            }
        }

        return (dims[0], dims[3]);
    }

    private static void WarmUp(OnnxModel model)
    {
        var (layers, width) = ReadCacheShape(model);
        var encoder = new Vq02Encoder(model, layers, width);
        var state = encoder.CreateState();
        encoder.Run(new float[MaxChunkFrames * InputDim], MaxChunkFrames, state, new float[MaxChunkFrames * OutputDim]);
    }
}
