using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StepAudio.Engine.Features;
using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Tokenizer;

/// <summary>
/// CosyVoice's <c>speech_tokenizer_v1.onnx</c>, bound by position (its tensor names are not
/// published): feats float32 [1,128,T] and length int32 [1] in, int32 or int64 ids out.
/// </summary>
internal sealed class Vq06Tokenizer : IDisposable
{
    private readonly OnnxModel _model;
    private readonly bool _int64Output;

    private Vq06Tokenizer(OnnxModel model, bool int64Output)
    {
        _model = model;
        _int64Output = int64Output;
    }

    public static ModelSignature SignatureFor(TensorElementType output) => new(
        "vq06 tokenizer",
        [
            new TensorSpec(null, TensorElementType.Float, 1, WhisperLogMelAccumulator.MelBins, -1),
            new TensorSpec(null, TensorElementType.Int32, 1),
        ],
        [new TensorSpec(null, output, 1, -1)]);

    /// <summary>Loads the model, accepting an int64 or an int32 token output.</summary>
    public static Vq06Tokenizer Load(string path, OnnxSessionFactory factory, InferenceOptions options)
    {
        try
        {
            return new Vq06Tokenizer(factory.Load(path, SignatureFor(TensorElementType.Int64), options, m => WarmUp(m, true)), true);
        }
        catch (ModelContractException asInt64) when (File.Exists(path))
        {
            try
            {
                return new Vq06Tokenizer(factory.Load(path, SignatureFor(TensorElementType.Int32), options, m => WarmUp(m, false)), false);
            }
            catch (ModelContractException)
            {
                throw new ModelContractException($"{asInt64.Message}\n  (an int32 token output was tried as well)", asInt64);
            }
        }
    }

    /// <summary>Where the model runs.</summary>
    public ExecutionTarget Provider => _model.Provider;

    /// <summary>Runs one segment's features (<c>[128, frames]</c>, mel-major) and returns the token ids.</summary>
    public int[] Run(ReadOnlySpan<float> features, int frames) => Run(_model, _int64Output, features, frames);

    public void Dispose() => _model.Dispose();

    private static int[] Run(OnnxModel model, bool int64Output, ReadOnlySpan<float> features, int frames)
    {
        var input = features[..(WhisperLogMelAccumulator.MelBins * frames)].ToArray();
        using var featsValue = OrtValue.CreateTensorValueFromMemory(input, [1, WhisperLogMelAccumulator.MelBins, frames]);
        using var lengthValue = OrtValue.CreateTensorValueFromMemory(new[] { frames }, [1]);
        using var runOptions = new RunOptions();
        using var results = model.Session.Run(runOptions, [model.InputNames[0], model.InputNames[1]], [featsValue, lengthValue], [model.OutputNames[0]]);
        var tokens = new int[results[0].GetTensorTypeAndShape().ElementCount];
        if (int64Output)
        {
            var ids = results[0].GetTensorDataAsSpan<long>();
            for (var i = 0; i < tokens.Length; i++)
            {
                tokens[i] = CheckToken(model, ids[i], i);
            }
        }
        else
        {
            var ids = results[0].GetTensorDataAsSpan<int>();
            for (var i = 0; i < tokens.Length; i++)
            {
                tokens[i] = CheckToken(model, ids[i], i);
            }
        }

        return tokens;
    }

    private static int CheckToken(OnnxModel model, long id, int index) =>
        id is >= 0 and < AudioTokens.Vq06CodebookSize
            ? (int)id
            : throw new ModelContractException(
                $"Model '{model.Signature.ModelName}' at {model.Path} returned token {id} at position {index}; the contract allows 0..{AudioTokens.Vq06CodebookSize - 1}.");

    private static void WarmUp(OnnxModel model, bool int64Output)
    {
        const int frames = 100;
        var features = new float[WhisperLogMelAccumulator.MelBins * frames];
        Array.Fill(features, -0.5f);
        Run(model, int64Output, features, frames);
    }
}
