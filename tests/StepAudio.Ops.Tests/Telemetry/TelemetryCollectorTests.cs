using System.Diagnostics.Metrics;
using StepAudio.Ops.Telemetry;

namespace StepAudio.Ops.Tests.Telemetry;

public sealed class TelemetryCollectorTests
{
    // Each test owns a meter with a unique name, since every collector in the process listens to all StepAudio.* meters.
    private static string UniqueMeter() => "StepAudio.UnitTest" + Guid.NewGuid().ToString("N")[..8];

    private static TelemetrySnapshot StreamOf(IReadOnlyList<TelemetrySnapshot> snapshots, Meter meter) =>
        snapshots.Single(s => s.Stream == TelemetryCollector.StreamOf(meter.Name));

    [Fact]
    public void Collect_WhenCounterHistogramAndGaugeRecorded_ThenSumStatisticsAndLast()
    {
        using var collector = new TelemetryCollector();
        using var meter = new Meter(UniqueMeter());
        var frames = meter.CreateCounter<int>("unit.frames", "{frame}");
        var latency = meter.CreateHistogram<double>("unit.latency", "ms");
        var queue = meter.CreateGauge<long>("unit.queue");
        for (var i = 1; i <= 100; i++)
        {
            frames.Add(2);
            latency.Record(i);
        }

        queue.Record(3);
        queue.Record(9);

        var snapshot = StreamOf(collector.Collect(), meter);

        var counter = snapshot.Instruments.Single(i => i.Name == "unit.frames");
        Assert.Equal((AggregationKind.Counter, 200.0, 100L, "{frame}"), (counter.Kind, counter.Sum, counter.Count, counter.Unit));
        var histogram = snapshot.Instruments.Single(i => i.Name == "unit.latency");
        Assert.Equal((100L, 1.0, 100.0, 50.5, 50.0, 95.0), (histogram.Count, histogram.Min, histogram.Max, histogram.Mean, histogram.P50, histogram.P95));
        Assert.Equal(9, snapshot.Instruments.Single(i => i.Name == "unit.queue").Value);
    }

    [Fact]
    public void Collect_WhenNextIntervalQuiet_ThenCounterAndHistogramOmittedGaugeKept()
    {
        using var collector = new TelemetryCollector();
        using var meter = new Meter(UniqueMeter());
        meter.CreateCounter<long>("unit.c").Add(5);
        meter.CreateHistogram<float>("unit.h").Record(1.5f);
        meter.CreateGauge<double>("unit.g").Record(0.25);
        collector.Collect();

        var next = StreamOf(collector.Collect(), meter);

        Assert.Equal(["unit.g"], next.Instruments.Select(i => i.Name));
    }

    [Fact]
    public void Collect_WhenCounterAddedAcrossIntervals_ThenEachIntervalHasItsOwnDelta()
    {
        using var collector = new TelemetryCollector();
        using var meter = new Meter(UniqueMeter());
        var counter = meter.CreateCounter<long>("unit.c");
        var level = meter.CreateUpDownCounter<int>("unit.level");

        counter.Add(5);
        level.Add(4);
        var first = StreamOf(collector.Collect(), meter);
        counter.Add(7);
        level.Add(-1);
        var second = StreamOf(collector.Collect(), meter);

        Assert.Equal(5, first.Instruments.Single(i => i.Name == "unit.c").Sum);
        Assert.Equal(7, second.Instruments.Single(i => i.Name == "unit.c").Sum);
        Assert.Equal(3, second.Instruments.Single(i => i.Name == "unit.level").Value);
    }

    [Fact]
    public void Collect_WhenObservableGauge_ThenObservedAtCollect()
    {
        using var collector = new TelemetryCollector();
        using var meter = new Meter(UniqueMeter());
        var temperature = 41;

        // Every collector in the process observes this gauge when it collects, so the callback must not count calls.
        meter.CreateObservableGauge("unit.temperature", () => temperature, "Cel");

        var first = StreamOf(collector.Collect(), meter).Instruments.Single();
        temperature = 42;
        var second = StreamOf(collector.Collect(), meter).Instruments.Single();

        Assert.Equal((41.0, 42.0), (first.Value, second.Value));
    }

    [Fact]
    public void Collect_WhenMeterOutsidePrefix_ThenIgnored()
    {
        using var collector = new TelemetryCollector();
        using var meter = new Meter("Other.Library" + Guid.NewGuid().ToString("N")[..6]);
        meter.CreateCounter<int>("x").Add(1);

        Assert.DoesNotContain(collector.Collect(), s => s.Stream.StartsWith("other", StringComparison.Ordinal));
    }

    [Fact]
    public void Collect_WhenNonFiniteRecorded_ThenIgnored()
    {
        using var collector = new TelemetryCollector();
        using var meter = new Meter(UniqueMeter());
        var histogram = meter.CreateHistogram<double>("unit.h");
        histogram.Record(double.NaN);
        histogram.Record(double.PositiveInfinity);
        histogram.Record(2);

        var stats = StreamOf(collector.Collect(), meter).Instruments.Single();

        Assert.Equal((1L, 2.0, 2.0), (stats.Count, stats.Min, stats.Max));
    }

    [Fact]
    public async Task Record_WhenManyThreadsCount_ThenNoIncrementLost()
    {
        using var collector = new TelemetryCollector();
        using var meter = new Meter(UniqueMeter());
        var counter = meter.CreateCounter<long>("unit.c");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                counter.Add(1);
            }
        })));

        Assert.Equal(80_000, StreamOf(collector.Collect(), meter).Instruments.Single().Sum);
    }

    [Theory]
    [InlineData("StepAudio.Vad", "vad")]
    [InlineData("StepAudio.Link.Gpu", "link.gpu")]
    [InlineData("StepAudio", null)]
    [InlineData("System.Runtime", null)]
    public void StreamOf_WhenMeterNamed_ThenPrefixStrippedAndLowercased(string meter, string? stream) =>
        Assert.Equal(stream, TelemetryCollector.StreamOf(meter));
}
