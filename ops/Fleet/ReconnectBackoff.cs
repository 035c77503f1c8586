namespace StepAudio.Ops.Fleet;

/// <summary>
/// Exponential backoff with "equal jitter": attempt n waits a uniform time in [d/2, d] where d = min(max, min * 2^n),
/// never below min, so a fleet that lost its broker at once does not come back in lockstep.
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Random _random;

    public ReconnectBackoff(TimeSpan min, TimeSpan max, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(min, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        _min = min;
        _max = max;
        _random = random ?? Random.Shared;
    }

    /// <summary>Delay before attempt number <paramref name="attempt"/> (0 = first retry).</summary>
    public TimeSpan Delay(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var ceiling = _min.Ticks * Math.Pow(2, Math.Min(attempt, 40));
        var full = Math.Min(_max.Ticks, ceiling);
        var jittered = (full / 2) + (_random.NextDouble() * full / 2);
        return TimeSpan.FromTicks(Math.Max(_min.Ticks, (long)jittered));
    }
}
