using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Vad;

/// <summary>
/// Silero VAD v5 at 16 kHz, fed exactly as the reference wrapper feeds it: 512 new samples per
/// call, preceded by the last 64 samples of the previous call (zeros after a reset), with the
/// recurrent state carried from call to call. Leaving the context out still produces numbers,
/// but worse ones. Buffers are bound once; a call allocates nothing.
/// </summary>
public sealed class SileroVad : IDisposable
{
    /// <summary>The only rate this stage runs at.</summary>
    public const int SampleRate = PipelineAudio.SampleRate;

    /// <summary>New samples per call at 16 kHz.</summary>
    public const int FrameSize = 512;

    /// <summary>Samples of the previous call prepended to each call at 16 kHz.</summary>
    public const int ContextSize = 64;

    private const int StateSize = 2 * 1 * 128;

    /// <summary>What the stage expects of the model file.</summary>
    public static readonly ModelSignature Signature = new(
        "silero-vad-v5",
        [
            new TensorSpec("input", TensorElementType.Float, -1, -1),
            new TensorSpec("state", TensorElementType.Float, 2, -1, 128),
            new TensorSpec("sr", TensorElementType.Int64),
        ],
        [
            new TensorSpec("output", TensorElementType.Float, -1, 1),
            new TensorSpec("stateN", TensorElementType.Float, 2, -1, 128),
        ]);

    private readonly OnnxModel _model;
    private readonly float[] _input = new float[ContextSize + FrameSize];
    private readonly float[] _state = new float[StateSize];
    private readonly float[] _nextState = new float[StateSize];
    private readonly float[] _probability = new float[1];
    private readonly long[] _sampleRate = [SampleRate];
    private readonly OrtValue[] _values;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();

    private SileroVad(OnnxModel model)
    {
        _model = model;
        _values =
        [
            OrtValue.CreateTensorValueFromMemory(_input, [1, _input.Length]),
            OrtValue.CreateTensorValueFromMemory(_state, [2, 1, 128]),
            OrtValue.CreateTensorValueFromMemory(_sampleRate, []),
            OrtValue.CreateTensorValueFromMemory(_probability, [1, 1]),
            OrtValue.CreateTensorValueFromMemory(_nextState, [2, 1, 128]),
        ];
        _binding = model.Session.CreateIoBinding();
        _binding.BindInput("input", _values[0]);
        _binding.BindInput("state", _values[1]);
        _binding.BindInput("sr", _values[2]);
        _binding.BindOutput("output", _values[3]);
        _binding.BindOutput("stateN", _values[4]);
    }

    /// <summary>Where the model runs.</summary>
    public ExecutionTarget Provider => _model.Provider;

    /// <summary>Loads and checks the model and warms it up.</summary>
    public static SileroVad Load(string modelPath, OnnxSessionFactory factory, InferenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var model = factory.Load(modelPath, Signature, options ?? InferenceOptions.AlwaysOn);
        var vad = new SileroVad(model);
        try
        {
            if (options?.WarmUp ?? true)
            {
                vad.Process(new float[FrameSize]);
                vad.Reset();
            }
        }
        catch
        {
            vad.Dispose();
            throw;
        }

        return vad;
    }

    /// <summary>Returns the speech probability of 512 new samples (16 kHz, [-1, 1]).</summary>
    public float Process(ReadOnlySpan<float> frame)
    {
        if (frame.Length != FrameSize)
        {
            throw new ArgumentException($"Silero VAD takes {FrameSize} samples per call at 16 kHz, got {frame.Length}.", nameof(frame));
        }

        frame.CopyTo(_input.AsSpan(ContextSize));
        _model.Session.RunWithBinding(_runOptions, _binding);
        _nextState.CopyTo(_state, 0);

        // The next call's context is the tail of this call's input.
        _input.AsSpan(_input.Length - ContextSize).CopyTo(_input);
        return _probability[0];
    }

    /// <summary>Clears the recurrent state and the context, as at the start of a stream.</summary>
    public void Reset()
    {
        Array.Clear(_state);
        Array.Clear(_input);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _binding.Dispose();
        foreach (var value in _values)
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _model.Dispose();
    }
}
