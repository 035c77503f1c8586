namespace StepAudio.Ops.Telemetry;

/// <summary>
/// Caps telemetry at a number of messages per interval. When there are more streams than the cap, the starting
/// stream rotates each interval so that every stream gets through in turn rather than the same ones always winning.
/// </summary>
public sealed class TelemetryBudget
{
    private readonly int _perInterval;
    private int _rotation;

    public TelemetryBudget(int perInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perInterval, 1);
        _perInterval = perInterval;
    }

    /// <summary>Picks the snapshots to publish this interval; <paramref name="dropped"/> counts the rest.</summary>
    public IReadOnlyList<TelemetrySnapshot> Select(IReadOnlyList<TelemetrySnapshot> snapshots, out int dropped)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        if (snapshots.Count <= _perInterval)
        {
            dropped = 0;
            return snapshots;
        }

        var start = _rotation % snapshots.Count;
        _rotation = (_rotation + _perInterval) % snapshots.Count;
        var chosen = new TelemetrySnapshot[_perInterval];
        for (var i = 0; i < _perInterval; i++)
        {
            chosen[i] = snapshots[(start + i) % snapshots.Count];
        }

        dropped = snapshots.Count - _perInterval;
        return chosen;
    }
}
