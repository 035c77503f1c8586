using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Vocoder.Flow;

/// <summary><c>flow_encoder.onnx</c> with its own pinned buffers: flow tokens in, 80-d vectors out (one per token, or <c>rowsPerStep</c> per token for an upsampling encoder).</summary>
internal sealed class FlowEncoderStage : IDisposable
{
    private readonly ModelRunner _runner;
    private readonly int _width;
    private readonly int _rowsPerStep;
    private readonly int _bins;
    private readonly int[] _length = GC.AllocateArray<int>(1, pinned: true);
    private long[] _tokens = [];
    private float[] _h = [];

    public FlowEncoderStage(OnnxModel model, int tokenWidth, int rowsPerStep, int melBins, int capacitySteps)
    {
        _runner = new ModelRunner(model);
        _width = tokenWidth;
        _rowsPerStep = rowsPerStep;
        _bins = melBins;
        EnsureCapacity(capacitySteps);
    }

    /// <summary>Encodes <paramref name="steps"/> flow steps (<c>steps * width</c> ints, prompt first). The result is row-major <c>[steps * rowsPerStep, bins]</c>, valid until the next call.</summary>
    public ReadOnlySpan<float> Encode(ReadOnlySpan<int> prompt, ReadOnlySpan<int> target, int steps)
    {
        EnsureCapacity(steps);
        var count = steps * _width;
        for (var i = 0; i < prompt.Length; i++)
        {
            _tokens[i] = prompt[i];
        }

        for (var i = 0; i < count - prompt.Length; i++)
        {
            _tokens[prompt.Length + i] = target[i];
        }

        _length[0] = steps;
        _runner.Inputs[0] = _width == 1 ? _runner.Tensors.Get(_tokens, 1, steps) : _runner.Tensors.Get(_tokens, 1, steps, _width);
        _runner.Inputs[1] = _runner.Tensors.Get(_length, 1);
        _runner.Outputs[0] = _runner.Tensors.Get(_h, 1, steps * _rowsPerStep, _bins);
        _runner.Run();
        return _h.AsSpan(0, steps * _rowsPerStep * _bins);
    }

    public void Dispose()
    {
        _runner.Dispose();
    }

    private void EnsureCapacity(int steps)
    {
        if (steps * _width <= _tokens.Length)
        {
            return;
        }

        _runner.Tensors.Clear();
        var capacity = Math.Max(steps, _tokens.Length / Math.Max(_width, 1) * 3 / 2);
        _tokens = GC.AllocateArray<long>(capacity * _width, pinned: true);
        _h = GC.AllocateArray<float>(capacity * _rowsPerStep * _bins, pinned: true);
    }
}

/// <summary><c>flow_regulator.onnx</c> (the length regulator's conv stack) over channel-major <c>[bins, frames]</c>.</summary>
internal sealed class FlowRegulatorStage : IDisposable
{
    private readonly ModelRunner _runner;
    private readonly int _bins;

    public FlowRegulatorStage(OnnxModel model, int melBins, int capacityFrames)
    {
        _runner = new ModelRunner(model);
        _bins = melBins;
        EnsureCapacity(capacityFrames);
    }

    /// <summary>The regulator's input, channel-major with a row stride of the current frame count.</summary>
    public float[] Input { get; private set; } = [];

    /// <summary>The regulator's output, laid out like <see cref="Input"/>.</summary>
    public float[] Output { get; private set; } = [];

    /// <summary>Grows the buffers; call before filling <see cref="Input"/>.</summary>
    public void EnsureCapacity(int frames)
    {
        if (_bins * frames <= Input.Length)
        {
            return;
        }

        _runner.Tensors.Clear();
        var capacity = Math.Max(frames, Input.Length / _bins * 3 / 2);
        Input = GC.AllocateArray<float>(capacity * _bins, pinned: true);
        Output = GC.AllocateArray<float>(capacity * _bins, pinned: true);
    }

    public void Run(int frames)
    {
        _runner.Inputs[0] = _runner.Tensors.Get(Input, 1, _bins, frames);
        _runner.Outputs[0] = _runner.Tensors.Get(Output, 1, _bins, frames);
        _runner.Run();
    }

    public void Dispose()
    {
        _runner.Dispose();
    }
}
