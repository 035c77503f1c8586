using System.Diagnostics.Metrics;

namespace StepAudio.Ops.Telemetry;

/// <summary>
/// Listens to every meter named <c>StepAudio.*</c> through a <see cref="MeterListener"/> (ops never sees the engine's
/// types) and folds measurements per instrument; <see cref="Collect"/> closes an interval and returns one snapshot per
/// stream (meter name minus the prefix, lowercased) that measured something.
/// </summary>
public sealed class TelemetryCollector : IDisposable
{
    public const string MeterPrefix = "StepAudio.";

    private readonly MeterListener _listener;
    private readonly List<InstrumentAggregator> _aggregators = [];
    private readonly Lock _collectGate = new();

    // Guards only the list, never held while calling into the listener: instrument publication arrives under the
    // runtime's own metrics lock, so holding this across RecordObservableInstruments could invert the lock order.
    private readonly Lock _listGate = new();
    private InstrumentAggregator[] _collecting = [];
    private readonly TimeProvider _time;
    private readonly int _reservoir;
    private readonly double[] _scratch;
    private DateTimeOffset _intervalStart;

    /// <param name="reservoir">Histogram values kept per interval for the percentiles.</param>
    public TelemetryCollector(TimeProvider? time = null, int reservoir = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(reservoir, 1);
        _time = time ?? TimeProvider.System;
        _reservoir = reservoir;
        _scratch = new double[reservoir];
        _intervalStart = _time.GetUtcNow();
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = OnMeasurementsCompleted,
        };

        // Static lambdas: the aggregator arrives as the per-instrument state, so recording needs no lookup.
        _listener.SetMeasurementEventCallback<double>(static (_, value, _, state) => ((InstrumentAggregator)state!).Record(value));
        _listener.SetMeasurementEventCallback<float>(static (_, value, _, state) => ((InstrumentAggregator)state!).Record(value));
        _listener.SetMeasurementEventCallback<long>(static (_, value, _, state) => ((InstrumentAggregator)state!).Record(value));
        _listener.SetMeasurementEventCallback<int>(static (_, value, _, state) => ((InstrumentAggregator)state!).Record(value));
        _listener.SetMeasurementEventCallback<short>(static (_, value, _, state) => ((InstrumentAggregator)state!).Record(value));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, _, state) => ((InstrumentAggregator)state!).Record(value));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, _, state) => ((InstrumentAggregator)state!).Record((double)value));
        _listener.Start();
    }

    /// <summary>The telemetry stream of a meter: <c>StepAudio.Vad</c> -> <c>vad</c>; null for meters outside the prefix.</summary>
    public static string? StreamOf(string meterName)
    {
        ArgumentNullException.ThrowIfNull(meterName);
        return meterName.Length > MeterPrefix.Length && meterName.StartsWith(MeterPrefix, StringComparison.Ordinal)
            ? meterName[MeterPrefix.Length..].ToLowerInvariant()
            : null;
    }

    /// <summary>Closes the current interval: one snapshot per stream with data, streams in name order.</summary>
    public IReadOnlyList<TelemetrySnapshot> Collect()
    {
        lock (_collectGate)
        {
            // Observable instruments report only when asked; their callbacks land in the aggregators like any other.
            _listener.RecordObservableInstruments();
            var from = _intervalStart;
            var to = _time.GetUtcNow();
            _intervalStart = to;

            lock (_listGate)
            {
                if (_collecting.Length != _aggregators.Count)
                {
                    _collecting = new InstrumentAggregator[_aggregators.Count];
                }

                _aggregators.CopyTo(_collecting);
            }

            var byStream = new SortedDictionary<string, List<InstrumentSnapshot>>(StringComparer.Ordinal);
            foreach (var aggregator in _collecting)
            {
                if (!aggregator.TryCollect(_scratch, out var snapshot))
                {
                    continue;
                }

                var stream = StreamOf(aggregator.Instrument.Meter.Name)!;
                if (!byStream.TryGetValue(stream, out var list))
                {
                    byStream[stream] = list = [];
                }

                list.Add(snapshot);
            }

            var result = new List<TelemetrySnapshot>(byStream.Count);
            foreach (var (stream, instruments) in byStream)
            {
                result.Add(new TelemetrySnapshot(stream, from, to, instruments));
            }

            return result;
        }
    }

    public void Dispose() => _listener.Dispose();

    private static AggregationKind KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (definition == typeof(Counter<>))
        {
            return AggregationKind.Counter;
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return AggregationKind.UpDown;
        }

        if (definition == typeof(Histogram<>))
        {
            return AggregationKind.Histogram;
        }

        // Gauge<T> and every observable instrument: observable counters report totals, so the last one is the value.
        return AggregationKind.Gauge;
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (StreamOf(instrument.Meter.Name) is null)
        {
            return;
        }

        var aggregator = new InstrumentAggregator(instrument, KindOf(instrument), _reservoir);
        lock (_listGate)
        {
            _aggregators.Add(aggregator);
        }

        listener.EnableMeasurementEvents(instrument, aggregator);
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        lock (_listGate)
        {
            _aggregators.Remove((InstrumentAggregator)state!);
        }
    }
}
