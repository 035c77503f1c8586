using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Telemetry;
using StepAudio.TestSupport.Broker;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class FleetLinkTelemetryTests
{
    [Fact]
    public async Task Telemetry_WhenTestMeterRecords_ThenAggregatedPerIntervalAtQos0AndRateLimited()
    {
        using var broker = new MosquittoBroker();
        using var collector = new TelemetryCollector();
        var options = LinkHarness.OptionsFor(broker.Port);
        await using var harness = LinkHarness.Start(options, telemetry: collector);
        await harness.WaitForStateAsync(FleetConnectionState.Connected);
        var topic = harness.Link.Topics.Telemetry("test");
        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [topic]);
        using var meter = new Meter("StepAudio.Test");
        var requests = meter.CreateCounter<long>("test.requests", "{request}");
        var latency = meter.CreateHistogram<double>("test.latency", "ms");
        var level = meter.CreateGauge<int>("test.level");

        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= 1000; i++)
        {
            requests.Add(1);
            latency.Record(i % 100 + 1);
        }

        level.Record(7);

        // Wait until the sums over the messages account for every measurement.
        var messages = await fleet.WaitForCountAsync(m => m.Topic == topic, 1);
        while (Sum(fleet.Received, "test.requests", "sum") < 1000 || Sum(fleet.Received, "test.latency", "count") < 1000)
        {
            var seen = fleet.Received.Count;
            await fleet.WaitForCountAsync(m => m.Topic == topic, seen + 1);
        }

        var elapsed = clock.Elapsed;
        var received = fleet.Received.Where(m => m.Topic == topic).ToList();
        Assert.Equal(1000, Sum(received, "test.requests", "sum"));
        Assert.Equal(1000, Sum(received, "test.latency", "count"));
        Assert.Equal(1, received.Min(m => Metric(m, "test.latency")?.GetProperty("min").GetDouble() ?? double.MaxValue));
        Assert.Equal(100, received.Max(m => Metric(m, "test.latency")?.GetProperty("max").GetDouble() ?? 0));
        Assert.Contains(received, m => Metric(m, "test.level")?.GetProperty("value").GetDouble() == 7);
        var first = JsonDocument.Parse(received[0].Payload).RootElement;
        Assert.Equal(TelemetrySnapshot.SchemaVersion, first.GetProperty("schema").GetInt32());
        Assert.Equal("test", first.GetProperty("stream").GetString());

        // Rate limit: one message per stream per interval at most, however many measurements there were.
        Assert.InRange(received.Count, 1, (int)(elapsed / options.TelemetryInterval) + 2);
        Assert.NotEmpty(messages);
    }

    private static JsonElement? Metric(Received message, string name) =>
        JsonDocument.Parse(message.Payload).RootElement.GetProperty("metrics").TryGetProperty(name, out var metric) ? metric : null;

    private static double Sum(IEnumerable<Received> messages, string name, string field) =>
        messages.Sum(m => m.Topic.EndsWith("/telemetry/test", StringComparison.Ordinal) && Metric(m, name) is { } metric ? metric.GetProperty(field).GetDouble() : 0);
}
