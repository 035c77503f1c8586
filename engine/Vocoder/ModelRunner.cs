using Microsoft.ML.OnnxRuntime;
using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Vocoder;

/// <summary>
/// Runs one shared model over caller-owned tensors through ONNX Runtime IO bindings, so a warm run
/// allocates nothing: <c>Session.Run</c> with name and value lists builds native handle arrays on every
/// call, a binding does that once. One binding is kept per distinct set of tensors (a streaming stage
/// cycles through a few shapes), made the first time that set runs.
/// </summary>
internal sealed class ModelRunner : IDisposable
{
    // A stage sees a handful of shapes per utterance; this bounds the rare one-off final-chunk shapes.
    private const int MaxBindings = 48;
    private readonly OnnxModel _model;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly RunOptions _runOptions = new();
    private readonly List<BoundTensors> _bindings = [];
    private int _tensorGeneration;

    public ModelRunner(OnnxModel model)
    {
        _model = model;
        _inputNames = ResolveNames(model.Signature.Inputs, model.InputNames);
        _outputNames = ResolveNames(model.Signature.Outputs, model.OutputNames);
        Inputs = new OrtValue[_inputNames.Length];
        Outputs = new OrtValue[_outputNames.Length];
        _tensorGeneration = Tensors.Generation;
    }

    /// <summary>Inputs in the signature's order; set before <see cref="Run"/>.</summary>
    public OrtValue[] Inputs { get; }

    /// <summary>Outputs in the signature's order, pre-shaped to what the stage expects.</summary>
    public OrtValue[] Outputs { get; }

    /// <summary>Tensors over the stage's pinned buffers, for <see cref="Inputs"/> and <see cref="Outputs"/>.</summary>
    public OrtTensorCache Tensors { get; } = new();

    /// <summary>The execution provider the model's session got.</summary>
    public ExecutionTarget Provider => _model.Provider;

    /// <summary>Runs the model.</summary>
    /// <exception cref="ModelContractException">ONNX Runtime rejected the run, e.g. an output of another length than the profile implies.</exception>
    public void Run()
    {
        try
        {
            _model.Session.RunWithBinding(_runOptions, Binding());
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelContractException(
                $"Model '{_model.Signature.ModelName}' at {_model.Path} failed to run with the shapes its stage expects: {ex.Message.Trim()}", ex);
        }
    }

    public void Dispose()
    {
        DropBindings();
        Tensors.Dispose();
        _runOptions.Dispose();
    }

    private OrtIoBinding Binding()
    {
        if (_tensorGeneration != Tensors.Generation)
        {
            // The cache disposed its tensors (a buffer grew): bindings over them must not run again.
            DropBindings();
            _tensorGeneration = Tensors.Generation;
        }

        foreach (var bound in _bindings)
        {
            if (bound.Matches(Inputs, Outputs))
            {
                return bound.Binding;
            }
        }

        if (_bindings.Count >= MaxBindings)
        {
            DropBindings();
        }

        var binding = _model.Session.CreateIoBinding();
        for (var i = 0; i < Inputs.Length; i++)
        {
            binding.BindInput(_inputNames[i], Inputs[i]);
        }

        for (var i = 0; i < Outputs.Length; i++)
        {
            binding.BindOutput(_outputNames[i], Outputs[i]);
        }

        _bindings.Add(new BoundTensors(binding, [.. Inputs], [.. Outputs]));
        return binding;
    }

    private void DropBindings()
    {
        foreach (var bound in _bindings)
        {
            bound.Binding.Dispose();
        }

        _bindings.Clear();
    }

    private static string[] ResolveNames(IReadOnlyList<TensorSpec> specs, IReadOnlyList<string> actual)
    {
        var names = new string[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            names[i] = specs[i].Name ?? actual[i];
        }

        return names;
    }

    private sealed class BoundTensors(OrtIoBinding binding, OrtValue[] inputs, OrtValue[] outputs)
    {
        public OrtIoBinding Binding { get; } = binding;

        public bool Matches(OrtValue[] currentInputs, OrtValue[] currentOutputs) => Same(inputs, currentInputs) && Same(outputs, currentOutputs);

        private static bool Same(OrtValue[] bound, OrtValue[] current)
        {
            for (var i = 0; i < bound.Length; i++)
            {
                if (!ReferenceEquals(bound[i], current[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
