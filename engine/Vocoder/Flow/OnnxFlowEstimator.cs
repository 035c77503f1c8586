using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Vocoder.Flow;

/// <summary><c>flow_estimator.onnx</c> bound to a <see cref="FlowBatch"/>: one tensor set per frame count, reused by every step.</summary>
internal sealed class OnnxFlowEstimator : IFlowEstimator, IDisposable
{
    private readonly ModelRunner _runner;
    private int? _generation; // the batch generation the bound tensors belong to; null before the first

    public OnnxFlowEstimator(OnnxModel model)
    {
        _runner = new ModelRunner(model);
    }

    public void Estimate(FlowBatch batch, int frames)
    {
        if (batch.Generation != _generation)
        {
            _runner.Tensors.Clear();
            _generation = batch.Generation;
        }

        var bins = batch.MelBins;
        var inputs = _runner.Inputs;
        inputs[0] = _runner.Tensors.Get(batch.X, 2, bins, frames);
        inputs[1] = _runner.Tensors.Get(batch.Mask, 2, 1, frames);
        inputs[2] = _runner.Tensors.Get(batch.Mu, 2, bins, frames);
        inputs[3] = _runner.Tensors.Get(batch.T, 2);
        inputs[4] = _runner.Tensors.Get(batch.Spks, 2, bins);
        inputs[5] = _runner.Tensors.Get(batch.Cond, 2, bins, frames);
        _runner.Outputs[0] = _runner.Tensors.Get(batch.Velocity, 2, bins, frames);
        _runner.Run();
    }

    public void Dispose()
    {
        _runner.Dispose();
    }
}
