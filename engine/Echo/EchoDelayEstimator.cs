using System.Numerics.Tensors;

namespace StepAudio.Engine.Echo;

/// <summary>The playback-to-capture delay found by <see cref="EchoDelayEstimator"/>.</summary>
/// <param name="DelaySamples">How many samples after it was played the echo's direct path arrives.</param>
/// <param name="Correlation">Normalised cross-correlation at that lag (0 to 1): how sure the estimate is.</param>
internal readonly record struct EchoDelayEstimate(int DelaySamples, double Correlation)
{
    /// <summary>The delay in milliseconds at 16 kHz.</summary>
    public double DelayMs => DelaySamples / 16.0;
}

/// <summary>
/// Finds the playback-to-capture delay by cross-correlating what was played with what was heard
/// (a diagnose tool and the tests use it to set <see cref="EchoCancellerOptions.PlaybackDelayMs"/>).
/// A direct search over lags: it runs once, on seconds of audio, so its cost does not matter.
/// </summary>
internal static class EchoDelayEstimator
{
    /// <summary>
    /// The lag in [0, <paramref name="maxDelaySamples"/>] at which <paramref name="capture"/> best matches
    /// <paramref name="played"/>; both start at the same moment.
    /// </summary>
    public static EchoDelayEstimate Estimate(ReadOnlySpan<float> played, ReadOnlySpan<float> capture, int maxDelaySamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDelaySamples);
        var window = Math.Min(played.Length, capture.Length - maxDelaySamples);
        if (window < 1600)
        {
            throw new ArgumentException(
                $"Need at least 100 ms of played audio beyond the {maxDelaySamples}-sample search; got {played.Length} played and {capture.Length} captured samples.",
                nameof(capture));
        }

        var source = played[..window];
        var sourceEnergy = TensorPrimitives.SumOfSquares(source);
        if (sourceEnergy <= 0)
        {
            throw new ArgumentException("The played audio is silent; a delay cannot be measured.", nameof(played));
        }

        var bestLag = 0;
        var best = double.NegativeInfinity;
        var bestNormalised = 0.0;
        for (var lag = 0; lag <= maxDelaySamples; lag++)
        {
            var heard = capture.Slice(lag, window);
            var dot = TensorPrimitives.Dot(source, heard);
            var heardEnergy = TensorPrimitives.SumOfSquares(heard);
            var normalised = heardEnergy > 0 ? dot / Math.Sqrt((double)sourceEnergy * heardEnergy) : 0;
            if (normalised > best)
            {
                best = normalised;
                bestLag = lag;
                bestNormalised = normalised;
            }
        }

        return new EchoDelayEstimate(bestLag, Math.Max(0, bestNormalised));
    }
}
