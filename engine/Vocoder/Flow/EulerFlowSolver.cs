using System.Numerics.Tensors;

namespace StepAudio.Engine.Vocoder.Flow;

/// <summary>
/// CosyVoice's fixed-step Euler solver with classifier-free guidance: times
/// <c>t_k = 1 - cos(k / steps * pi / 2)</c>, velocity <c>(1 + cfg) * v_cond - cfg * v_uncond</c>, where the
/// unconditional row sees zero mu, speaker and prompt condition. Buffers live in a <see cref="FlowBatch"/>
/// reused across steps and chunks: a warm solve allocates nothing.
/// </summary>
internal sealed class EulerFlowSolver
{
    private readonly IFlowEstimator _estimator;
    private readonly float[] _times;

    public EulerFlowSolver(IFlowEstimator estimator, int melBins, int steps, float cfgRate, int capacityFrames)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(cfgRate);
        _estimator = estimator;
        Steps = steps;
        CfgRate = cfgRate;
        Batch = new FlowBatch(melBins, capacityFrames);
        _times = Schedule(steps);
    }

    /// <summary>Euler steps per solve.</summary>
    public int Steps { get; }

    /// <summary>Guidance rate.</summary>
    public float CfgRate { get; }

    /// <summary>The estimator's buffers.</summary>
    public FlowBatch Batch { get; }

    /// <summary>The cosine time schedule <c>t_k = 1 - cos(k / steps * pi / 2)</c>, k = 0..steps.</summary>
    public static float[] Schedule(int steps)
    {
        var times = new float[steps + 1];
        for (var k = 0; k <= steps; k++)
        {
            // The reference builds linspace(0, 1) in float32 and then applies the cosine.
            var linear = (float)k / steps;
            times[k] = 1f - (float)Math.Cos(linear * 0.5 * Math.PI);
        }

        return times;
    }

    /// <summary>Integrates from <paramref name="noise"/> at t = 0 to t = 1. All tensors channel-major <c>[bins, frames]</c>; <paramref name="spks"/> is <c>[bins]</c>.</summary>
    public void Solve(
        ReadOnlySpan<float> noise,
        ReadOnlySpan<float> mu,
        ReadOnlySpan<float> cond,
        ReadOnlySpan<float> spks,
        int frames,
        Span<float> result,
        CancellationToken cancellationToken = default)
    {
        var bins = Batch.MelBins;
        var size = bins * frames;
        ArgumentOutOfRangeException.ThrowIfLessThan(noise.Length, size, nameof(noise));
        ArgumentOutOfRangeException.ThrowIfLessThan(mu.Length, size, nameof(mu));
        ArgumentOutOfRangeException.ThrowIfLessThan(cond.Length, size, nameof(cond));
        ArgumentOutOfRangeException.ThrowIfLessThan(spks.Length, bins, nameof(spks));
        ArgumentOutOfRangeException.ThrowIfLessThan(result.Length, size, nameof(result));

        Batch.EnsureCapacity(frames);
        var x = Batch.X.AsSpan(0, 2 * size);
        noise[..size].CopyTo(x);
        noise[..size].CopyTo(x[size..]);
        mu[..size].CopyTo(Batch.Mu);
        Batch.Mu.AsSpan(size, size).Clear();
        cond[..size].CopyTo(Batch.Cond);
        Batch.Cond.AsSpan(size, size).Clear();
        spks[..bins].CopyTo(Batch.Spks);
        Batch.Spks.AsSpan(bins, bins).Clear();
        Batch.Mask.AsSpan(0, 2 * frames).Fill(1f);

        var conditional = x[..size];
        var velocity = Batch.Velocity.AsSpan(0, 2 * size);
        var guided = velocity[..size];
        for (var k = 1; k <= Steps; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var t = _times[k - 1];
            var dt = _times[k] - t;
            Batch.T[0] = t;
            Batch.T[1] = t;
            _estimator.Estimate(Batch, frames);

            // guided = (1 + cfg) * v_cond - cfg * v_uncond, in place over the conditional row.
            TensorPrimitives.Multiply(guided, 1f + CfgRate, guided);
            TensorPrimitives.MultiplyAdd(velocity[size..], -CfgRate, guided, guided);
            TensorPrimitives.MultiplyAdd(guided, dt, conditional, conditional);
            conditional.CopyTo(x[size..]);
        }

        conditional.CopyTo(result);
    }
}
