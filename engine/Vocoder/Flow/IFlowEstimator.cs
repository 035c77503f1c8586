namespace StepAudio.Engine.Vocoder.Flow;

/// <summary>The flow's velocity field (the CosyVoice estimator), evaluated for both guidance rows at once.</summary>
internal interface IFlowEstimator
{
    /// <summary>Reads <c>x, mask, mu, t, spks, cond</c> from <paramref name="batch"/> for <paramref name="frames"/> frames and writes <see cref="FlowBatch.Velocity"/>.</summary>
    void Estimate(FlowBatch batch, int frames);
}
