using Microsoft.ML.OnnxRuntime;
using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Vocoder;

/// <summary>Runs one shared model with caller-owned input and output tensors, so a warm run allocates no result objects.</summary>
internal sealed class ModelRunner : IDisposable
{
    private readonly OnnxModel _model;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly RunOptions _runOptions = new();

    public ModelRunner(OnnxModel model)
    {
        _model = model;
        _inputNames = ResolveNames(model.Signature.Inputs, model.InputNames);
        _outputNames = ResolveNames(model.Signature.Outputs, model.OutputNames);
        Inputs = new OrtValue[_inputNames.Length];
        Outputs = new OrtValue[_outputNames.Length];
    }

    /// <summary>Inputs in the signature's order; set before <see cref="Run"/>.</summary>
    public OrtValue[] Inputs { get; }

    /// <summary>Outputs in the signature's order, pre-shaped to what the stage expects.</summary>
    public OrtValue[] Outputs { get; }

    /// <summary>Runs the model.</summary>
    /// <exception cref="ModelContractException">ONNX Runtime rejected the run, e.g. an output of another length than the profile implies.</exception>
    public void Run()
    {
        try
        {
            _model.Session.Run(_runOptions, _inputNames, Inputs, _outputNames, Outputs);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelContractException(
                $"Model '{_model.Signature.ModelName}' at {_model.Path} failed to run with the shapes its stage expects: {ex.Message.Trim()}", ex);
        }
    }

    public void Dispose() => _runOptions.Dispose();

    private static string[] ResolveNames(IReadOnlyList<TensorSpec> specs, IReadOnlyList<string> actual)
    {
        var names = new string[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            names[i] = specs[i].Name ?? actual[i];
        }

        return names;
    }
}
