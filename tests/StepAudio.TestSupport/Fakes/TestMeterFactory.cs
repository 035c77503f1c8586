using System.Diagnostics.Metrics;

namespace StepAudio.TestSupport.Fakes;

/// <summary>An IMeterFactory whose meters a test can listen to without hearing other tests' instruments.</summary>
public sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _totals = [];
    private readonly Lock _gate = new();

    public TestMeterFactory()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            lock (_gate)
            {
                if (_meters.Contains(instrument.Meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (_gate)
            {
                _totals[instrument.Name] = _totals.GetValueOrDefault(instrument.Name) + value;
            }
        });
        _listener.Start();
    }

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        lock (_gate)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    /// <summary>True for a meter this factory made: what a test's own listener should hear, and nothing else.</summary>
    public bool Owns(Meter meter)
    {
        lock (_gate)
        {
            return _meters.Contains(meter);
        }
    }

    /// <summary>The sum of everything recorded on the instrument so far.</summary>
    public long Total(string instrument)
    {
        lock (_gate)
        {
            return _totals.GetValueOrDefault(instrument);
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
