using System.Diagnostics.Metrics;

namespace StepAudio.Ops.Telemetry;

/// <summary>How an instrument's measurements are folded into one interval.</summary>
public enum AggregationKind
{
    /// <summary>Counter: the sum of the increments in the interval.</summary>
    Counter,

    /// <summary>UpDownCounter: the running total since start.</summary>
    UpDown,

    /// <summary>Gauges and observable instruments: the last value seen.</summary>
    Gauge,

    /// <summary>Histogram: count, min, max, mean, p50, p95 of the interval.</summary>
    Histogram,
}

/// <summary>
/// Folds one instrument's measurements. Recording runs on whatever thread the instrument is used from (the audio
/// loop included), so it takes no lock and allocates nothing: counters are cumulative (the interval's sum is the
/// difference, exact), histograms write into the current of two preallocated windows. A histogram measurement that
/// races the interval boundary may be lost; percentiles use the first <c>reservoir</c> values of the interval.
/// </summary>
internal sealed class InstrumentAggregator
{
    private readonly HistogramWindow[] _windows;
    private double _total;
    private long _totalCount;
    private double _lastCollectedTotal;
    private long _lastCollectedCount;
    private double _last;
    private int _hasLast;
    private int _current;

    public InstrumentAggregator(Instrument instrument, AggregationKind kind, int reservoir)
    {
        Instrument = instrument;
        Kind = kind;
        _windows = kind == AggregationKind.Histogram ? [new HistogramWindow(reservoir), new HistogramWindow(reservoir)] : [];
    }

    public Instrument Instrument { get; }

    public AggregationKind Kind { get; }

    public void Record(double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        switch (Kind)
        {
            case AggregationKind.Counter:
            case AggregationKind.UpDown:
                AtomicAdd(ref _total, value);
                Interlocked.Increment(ref _totalCount);
                break;
            case AggregationKind.Gauge:
                Volatile.Write(ref _last, value);
                Volatile.Write(ref _hasLast, 1);
                break;
            default:
                _windows[Volatile.Read(ref _current)].Record(value);
                break;
        }
    }

    /// <summary>Closes the interval; false when the instrument has nothing to report for it.</summary>
    public bool TryCollect(double[] scratch, out InstrumentSnapshot snapshot)
    {
        var name = Instrument.Name;
        var unit = Instrument.Unit;
        switch (Kind)
        {
            case AggregationKind.Counter:
                var total = Volatile.Read(ref _total);
                var count = Interlocked.Read(ref _totalCount);
                var delta = total - _lastCollectedTotal;
                var measurements = count - _lastCollectedCount;
                _lastCollectedTotal = total;
                _lastCollectedCount = count;
                snapshot = new InstrumentSnapshot(name, unit, Kind) { Sum = delta, Count = measurements };
                return measurements > 0;
            case AggregationKind.UpDown:
                snapshot = new InstrumentSnapshot(name, unit, Kind) { Value = Volatile.Read(ref _total) };
                return Interlocked.Read(ref _totalCount) > 0;
            case AggregationKind.Gauge:
                snapshot = new InstrumentSnapshot(name, unit, Kind) { Value = Volatile.Read(ref _last) };
                return Volatile.Read(ref _hasLast) == 1;
            default:
                var closing = _windows[_current];
                var next = 1 - _current;
                _windows[next].Reset();
                Volatile.Write(ref _current, next);
                return closing.TrySummarise(name, unit, scratch, out snapshot);
        }
    }

    internal static void AtomicAdd(ref double target, double value)
    {
        double seen;
        double updated;
        do
        {
            seen = Volatile.Read(ref target);
            updated = seen + value;
        }
        while (BitConverter.DoubleToInt64Bits(Interlocked.CompareExchange(ref target, updated, seen)) != BitConverter.DoubleToInt64Bits(seen));
    }
}
