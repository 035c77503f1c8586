using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StepAudio.ContractModels.Onnx;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tests.Vocoder.Fakes;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Vocoder.Flow;
using Xunit;

namespace StepAudio.Engine.Tests.Vocoder;

public sealed class EulerFlowSolverTests
{
    private const float A = -1.3f, B = 0.9f, C = 0.4f, S = 0.25f, D = 0.6f;

    [Fact]
    public void Schedule_WhenTenSteps_ThenFollowsOneMinusCosine()
    {
        var times = EulerFlowSolver.Schedule(10);

        Assert.Equal(11, times.Length);
        Assert.Equal(0f, times[0]);
        Assert.Equal(1f, times[10], 6);
        for (var k = 0; k <= 10; k++)
        {
            Assert.Equal(1 - Math.Cos(k / 10.0 * Math.PI / 2), times[k], 1e-6);
        }

        // Cosine schedule: small steps first, large steps last.
        Assert.True(times[1] - times[0] < times[10] - times[9]);
    }

    [Fact]
    public void Solve_WhenLinearEstimator_ThenMatchesHandIntegratedEulerWithGuidance()
    {
        const int bins = 3, frames = 4, steps = 10;
        var (noise, mu, cond, spks) = Inputs(bins, frames);
        var fake = new LinearFlowEstimator(A, B, C, S, D);
        var solver = new EulerFlowSolver(fake, bins, steps, 0.7f, frames);
        var result = new float[bins * frames];

        solver.Solve(noise, mu, cond, spks, frames, result);

        var expected = HandEuler(noise, mu, cond, spks, bins, frames, steps, 0.7);
        for (var i = 0; i < result.Length; i++)
        {
            Assert.Equal(expected[i], result[i], 4);
        }

        Assert.Equal(steps, fake.Calls);
        Assert.Equal(0f, fake.UnconditionalMagnitude);
    }

    [Fact]
    public void Solve_WhenTwoStepsWorkedByHand_ThenGivesTheHandValue()
    {
        // v = -x + mu, mu = 2, x0 = 1, cfg 0.7, 2 steps. Schedule: t = 0, 1 - cos(pi/4) = 0.2928932, 1.
        // Guided: 1.7 (-x + 2) - 0.7 (-x) = 3.4 - x (the unconditional pass sees mu = 0).
        // Step 1: x = 1 + 0.2928932 * (3.4 - 1) = 1.7029437.
        // Step 2: x = 1.7029437 + 0.7071068 * (3.4 - 1.7029437) = 2.9029437.
        var fake = new LinearFlowEstimator(-1, 1, 0, 0, 0);
        var solver = new EulerFlowSolver(fake, 1, 2, 0.7f, 1);
        var result = new float[1];

        solver.Solve([1f], [2f], [0f], [0f], 1, result);

        Assert.Equal(2.9029437f, result[0], 5);
        Assert.Equal([0f, 0.29289323f], fake.Times);
    }

    [Fact]
    public void Solve_WhenCfgIsZero_ThenOnlyTheConditionalVelocityCounts()
    {
        // With cfg 0, v = -x + mu integrates towards mu; with guidance the target overshoots to (1 + cfg) mu.
        const int steps = 2000;
        var plain = new EulerFlowSolver(new LinearFlowEstimator(-1, 1, 0, 0, 0), 1, steps, 0f, 1);
        var guided = new EulerFlowSolver(new LinearFlowEstimator(-1, 1, 0, 0, 0), 1, steps, 0.7f, 1);
        var a = new float[1];
        var b = new float[1];

        plain.Solve([0f], [1f], [0f], [0f], 1, a);
        guided.Solve([0f], [1f], [0f], [0f], 1, b);

        // Exact: x(1) = target * (1 - e^-1).
        Assert.Equal(1 - Math.Exp(-1), a[0], 3);
        Assert.Equal(1.7 * (1 - Math.Exp(-1)), b[0], 3);
    }

    [Fact]
    public void Solve_WhenTenSteps_ThenTheEstimatorSeesEachScheduleTimeOnceInOrder()
    {
        var fake = new LinearFlowEstimator(A, B, C, S, D);
        var solver = new EulerFlowSolver(fake, 2, 10, 0.7f, 2);
        var (noise, mu, cond, spks) = Inputs(2, 2);

        solver.Solve(noise, mu, cond, spks, 2, new float[4]);

        Assert.Equal(EulerFlowSolver.Schedule(10)[..10], fake.Times);
    }

    [Fact]
    public void Solve_WhenManySteps_ThenConvergesToClosedFormOdeSolution()
    {
        const int bins = 2, frames = 3;
        var (noise, mu, cond, spks) = Inputs(bins, frames);
        var solver = new EulerFlowSolver(new LinearFlowEstimator(A, B, C, S, D), bins, 4000, 0.7f, frames);
        var result = new float[bins * frames];

        solver.Solve(noise, mu, cond, spks, frames, result);

        // Guided field: dx/dt = A x + 1.7 (B mu + C cond + S spk) + D t, integrated exactly from 0 to 1.
        var ea = Math.Exp(A);
        for (var bin = 0; bin < bins; bin++)
        {
            for (var f = 0; f < frames; f++)
            {
                var i = (bin * frames) + f;
                var g = 1.7 * ((B * mu[i]) + (C * cond[i]) + (S * spks[bin]));
                var exact = (ea * noise[i]) + (g * (ea - 1) / A) + (D * (ea - A - 1) / (A * A));
                // Euler's global error is O(1/steps); float32 accumulation adds a little.
                Assert.Equal(exact, result[i], 2e-3);
            }
        }
    }

    [Fact]
    public void Solve_WhenOnnxLinearEstimator_ThenMatchesHandReference()
    {
        const int bins = 4, frames = 5, steps = 10;
        var path = Path.Combine(Path.GetTempPath(), $"linear_estimator_{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, BuildLinearEstimator(bins));
        try
        {
            using var model = new OnnxSessionFactory().Load(path, EstimatorSignature(bins), new InferenceOptions { WarmUp = false });
            using var estimator = new OnnxFlowEstimator(model);
            var solver = new EulerFlowSolver(estimator, bins, steps, 0.7f, 2);
            var (noise, mu, cond, spks) = Inputs(bins, frames);
            var result = new float[bins * frames];

            solver.Solve(noise, mu, cond, spks, frames, result); // grows past its initial capacity of 2 frames

            var expected = HandEuler(noise, mu, cond, spks, bins, frames, steps, 0.7);
            for (var i = 0; i < result.Length; i++)
            {
                Assert.Equal(expected[i], result[i], 4);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Solve_WhenWarm_ThenAllocatesNothing()
    {
        const int bins = 8, frames = 16;
        var (noise, mu, cond, spks) = Inputs(bins, frames);
        var solver = new EulerFlowSolver(new LinearFlowEstimator(A, B, C, S, D), bins, 10, 0.7f, frames);
        var result = new float[bins * frames];
        solver.Solve(noise, mu, cond, spks, frames, result);

        var before = GC.GetAllocatedBytesForCurrentThread();
        solver.Solve(noise, mu, cond, spks, frames, result);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The fake records t values in a list that may grow; everything the solver owns is reused.
        Assert.True(allocated < 512, $"solve allocated {allocated} bytes");
    }

    private static double[] HandEuler(float[] x0, float[] mu, float[] cond, float[] spks, int bins, int frames, int steps, double cfg)
    {
        var x = Array.ConvertAll(x0, v => (double)v);
        for (var k = 1; k <= steps; k++)
        {
            var t = 1 - Math.Cos((k - 1) / (double)steps * Math.PI / 2);
            var dt = (1 - Math.Cos(k / (double)steps * Math.PI / 2)) - t;
            for (var bin = 0; bin < bins; bin++)
            {
                for (var f = 0; f < frames; f++)
                {
                    var i = (bin * frames) + f;
                    var conditional = (A * x[i]) + (B * mu[i]) + (C * cond[i]) + (S * spks[bin]) + (D * t);
                    var unconditional = (A * x[i]) + (D * t);
                    x[i] += dt * (((1 + cfg) * conditional) - (cfg * unconditional));
                }
            }
        }

        return x;
    }

    private static (float[] Noise, float[] Mu, float[] Cond, float[] Spks) Inputs(int bins, int frames)
    {
        var random = new Random(42);
        float Next() => (float)((random.NextDouble() * 2) - 1);
        var noise = new float[bins * frames];
        var mu = new float[bins * frames];
        var cond = new float[bins * frames];
        var spks = new float[bins];
        for (var i = 0; i < noise.Length; i++)
        {
            noise[i] = Next();
            mu[i] = Next() * 3;
            cond[i] = Next();
        }

        for (var i = 0; i < bins; i++)
        {
            spks[i] = Next();
        }

        return (noise, mu, cond, spks);
    }

    private static ModelSignature EstimatorSignature(int bins) => new(
        "linear estimator",
        [
            new TensorSpec("x", TensorElementType.Float, -1, bins, -1),
            new TensorSpec("mask", TensorElementType.Float, -1, 1, -1),
            new TensorSpec("mu", TensorElementType.Float, -1, bins, -1),
            new TensorSpec("t", TensorElementType.Float, -1),
            new TensorSpec("spks", TensorElementType.Float, -1, bins),
            new TensorSpec("cond", TensorElementType.Float, -1, bins, -1),
        ],
        [new TensorSpec(null, TensorElementType.Float, -1, bins, -1)]);

    /// <summary>The same linear field as the fake, as an ONNX graph with the official estimator signature.</summary>
    private static byte[] BuildLinearEstimator(int bins)
    {
        var g = new OnnxGraphBuilder("linear")
            .Input("x", OnnxGraphBuilder.TensorFloat, 2, bins, "T")
            .Input("mask", OnnxGraphBuilder.TensorFloat, 2, 1, "T")
            .Input("mu", OnnxGraphBuilder.TensorFloat, 2, bins, "T")
            .Input("t", OnnxGraphBuilder.TensorFloat, 2)
            .Input("spks", OnnxGraphBuilder.TensorFloat, 2, bins)
            .Input("cond", OnnxGraphBuilder.TensorFloat, 2, bins, "T")
            .Output("dphi_dt", OnnxGraphBuilder.TensorFloat, 2, bins, "T");
        var sum = g.Node("Add", [g.Node("Mul", ["x", g.Scalar(A)]), g.Node("Mul", ["mu", g.Scalar(B)])]);
        sum = g.Node("Add", [sum, g.Node("Mul", ["cond", g.Scalar(C)])]);
        sum = g.Node("Add", [sum, g.Node("Mul", [g.Node("Unsqueeze", ["spks", g.Constant([2L], 1)]), g.Scalar(S)])]);
        sum = g.Node("Add", [sum, g.Node("Mul", [g.Node("Reshape", ["t", g.Constant([-1L, 1L, 1L], 3)]), g.Scalar(D)])]);
        g.Node("Mul", [sum, "mask"], "dphi_dt");
        return g.Build();
    }
}
