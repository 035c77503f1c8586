using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Vocoder.Flow;

namespace StepAudio.Engine.Tests.Vocoder.Fakes;

/// <summary>v = a x + b mu + c cond + s spks + d t, element by element: an ODE the tests integrate by hand.</summary>
internal sealed class LinearFlowEstimator(float a, float b, float c, float s, float d) : IFlowEstimator
{
    public int Calls { get; private set; }

    /// <summary>Snapshot of the unconditional row's mu, cond and spks at the last call.</summary>
    public float UnconditionalMagnitude { get; private set; }

    /// <summary>The t values the solver passed, in order.</summary>
    public List<float> Times { get; } = [];

    public void Estimate(FlowBatch batch, int frames)
    {
        Calls++;
        Times.Add(batch.T[0]);
        var bins = batch.MelBins;
        var size = bins * frames;
        float magnitude = 0;
        for (var row = 0; row < 2; row++)
        {
            for (var bin = 0; bin < bins; bin++)
            {
                for (var f = 0; f < frames; f++)
                {
                    var i = (row * size) + (bin * frames) + f;
                    batch.Velocity[i] = (a * batch.X[i]) + (b * batch.Mu[i]) + (c * batch.Cond[i]) + (s * batch.Spks[(row * bins) + bin]) + (d * batch.T[row]);
                    if (row == 1)
                    {
                        magnitude += Math.Abs(batch.Mu[i]) + Math.Abs(batch.Cond[i]);
                    }
                }

                if (row == 1)
                {
                    magnitude += Math.Abs(batch.Spks[bins + bin]);
                }
            }
        }

        UnconditionalMagnitude = magnitude;
    }
}
