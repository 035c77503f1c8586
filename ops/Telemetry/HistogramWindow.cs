namespace StepAudio.Ops.Telemetry;

/// <summary>One interval of a histogram: lock-free count/sum/min/max and a fixed reservoir for the percentiles.</summary>
internal sealed class HistogramWindow
{
    private readonly double[] _values;
    private long _count;
    private double _sum;
    private double _min;
    private double _max;

    public HistogramWindow(int reservoir)
    {
        _values = new double[reservoir];
        Reset();
    }

    public void Record(double value)
    {
        var slot = Interlocked.Increment(ref _count) - 1;
        if (slot < _values.Length)
        {
            _values[slot] = value;
        }

        InstrumentAggregator.AtomicAdd(ref _sum, value);
        UpdateMin(value);
        UpdateMax(value);
    }

    public void Reset()
    {
        Volatile.Write(ref _sum, 0);
        Volatile.Write(ref _min, double.PositiveInfinity);
        Volatile.Write(ref _max, double.NegativeInfinity);
        Interlocked.Exchange(ref _count, 0);
    }

    public bool TrySummarise(string name, string? unit, double[] scratch, out InstrumentSnapshot snapshot)
    {
        var count = Interlocked.Read(ref _count);
        if (count == 0)
        {
            snapshot = new InstrumentSnapshot(name, unit, AggregationKind.Histogram);
            return false;
        }

        var kept = (int)Math.Min(count, Math.Min(_values.Length, scratch.Length));
        var sample = scratch.AsSpan(0, kept);
        _values.AsSpan(0, kept).CopyTo(sample);
        sample.Sort();
        snapshot = new InstrumentSnapshot(name, unit, AggregationKind.Histogram)
        {
            Count = count,
            Sum = Volatile.Read(ref _sum),
            Min = Volatile.Read(ref _min),
            Max = Volatile.Read(ref _max),
            Mean = Volatile.Read(ref _sum) / count,
            P50 = NearestRank(sample, 0.50),
            P95 = NearestRank(sample, 0.95),
        };
        return true;
    }

    /// <summary>Nearest-rank percentile of sorted values: the smallest value with at least p of the values at or below it.</summary>
    internal static double NearestRank(ReadOnlySpan<double> sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private void UpdateMin(double value)
    {
        double seen;
        while (value < (seen = Volatile.Read(ref _min)))
        {
            if (BitConverter.DoubleToInt64Bits(Interlocked.CompareExchange(ref _min, value, seen)) == BitConverter.DoubleToInt64Bits(seen))
            {
                return;
            }
        }
    }

    private void UpdateMax(double value)
    {
        double seen;
        while (value > (seen = Volatile.Read(ref _max)))
        {
            if (BitConverter.DoubleToInt64Bits(Interlocked.CompareExchange(ref _max, value, seen)) == BitConverter.DoubleToInt64Bits(seen))
            {
                return;
            }
        }
    }
}
