using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Tests.Broker;
using Xunit.Abstractions;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class FleetLinkEventTests(ITestOutputHelper output)
{
    private static int IndexOf(Received message) => JsonDocument.Parse(message.Payload).RootElement.GetProperty("data").GetProperty("i").GetInt32();

    [Fact]
    public async Task PublishEventAsync_WhenConnected_ThenVersionedJsonArrivesAtQos1()
    {
        using var broker = new MosquittoBroker();
        await using var harness = LinkHarness.Start(LinkHarness.OptionsFor(broker.Port));
        await harness.WaitForStateAsync(FleetConnectionState.Connected);
        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [harness.Link.Topics.Events]);

        await harness.Link.PublishEventAsync("wake", new JsonObject { ["word"] = "hey_jarvis", ["score"] = 0.98 });

        var received = await fleet.WaitForAsync(m => m.Topic == harness.Link.Topics.Events);
        var root = JsonDocument.Parse(received.Payload).RootElement;
        Assert.Equal(FleetLink.EventSchemaVersion, root.GetProperty("schema").GetInt32());
        Assert.Equal("wake", root.GetProperty("type").GetString());
        Assert.Equal("hey_jarvis", root.GetProperty("data").GetProperty("word").GetString());
        Assert.Equal(1, root.GetProperty("seq").GetInt64());
        Assert.True(root.TryGetProperty("time", out _));
    }

    [Fact]
    public async Task PublishEventAsync_WhenBrokerKilledAndRestarted_ThenEveryEventArrives()
    {
        const int total = 400;
        using var broker = new MosquittoBroker(saveEveryChange: true);
        await using var harness = LinkHarness.Start(LinkHarness.OptionsFor(broker.Port));
        await harness.WaitForStateAsync(FleetConnectionState.Connected);
        var observerId = "fleet-observer-" + Guid.NewGuid().ToString("N")[..6];
        var fleet = await FleetObserver.ConnectAsync(
            broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [harness.Link.Topics.Events, harness.Link.Topics.State], observerId, persistentSession: true);

        for (var i = 0; i < total / 2; i++)
        {
            await harness.Link.PublishEventAsync("turn", new JsonObject { ["i"] = i });
        }

        // Kill mid-stream: some events delivered, some in flight, the rest still in the outbox.
        await fleet.WaitForCountAsync(m => m.Topic == harness.Link.Topics.Events, total / 8);
        broker.Kill();
        var firstBatchSeen = fleet.Received.Count(m => m.Topic == harness.Link.Topics.Events);
        await fleet.DisposeAsync();
        for (var i = total / 2; i < total; i++)
        {
            await harness.Link.PublishEventAsync("turn", new JsonObject { ["i"] = i });
        }

        await harness.WaitForStateAsync(FleetConnectionState.Disconnected);
        var downtime = Stopwatch.StartNew();
        broker.Restart();
        var restarted = downtime.Elapsed;
        await harness.WaitForStateAsync(FleetConnectionState.Connected, count: 2);
        var reconnect = downtime.Elapsed - restarted;

        // The observer's persistent session (saved by the broker) kept its subscription and queued what it missed.
        await using var again = await FleetObserver.ConnectAsync(
            broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [], observerId, persistentSession: true);
        var missed = total - firstBatchSeen;
        var rest = await again.WaitForCountAsync(m => m.Topic == harness.Link.Topics.Events, 1);
        var seen = new HashSet<int>(fleet.Received.Where(m => m.Topic == harness.Link.Topics.Events).Select(IndexOf));
        var all = await WaitForAllIndicesAsync(again, harness.Link.Topics.Events, seen, total);

        var duplicates = fleet.Received.Count(m => m.Topic == harness.Link.Topics.Events) + again.Received.Count(m => m.Topic == harness.Link.Topics.Events) - total;
        output.WriteLine($"kill/restart: {total} events, {firstBatchSeen} seen before the kill, reconnect {reconnect.TotalMilliseconds:0} ms after restart, lost {total - all.Count}, duplicates {duplicates}, outbox dropped {harness.Link.Outbox.Dropped}");
        Assert.Equal(total, all.Count);
        Assert.Equal(0, harness.Link.Outbox.Dropped);
        Assert.NotEmpty(rest);
        Assert.True(missed > 0);
    }

    [Fact]
    public async Task PublishEventAsync_WhenOutboxOverflowsWhileOffline_ThenOldestDroppedAndCountedAndNewestDelivered()
    {
        using var broker = new MosquittoBroker();
        using var relay = new TcpRelay(broker.Port) { Refusing = true };
        var options = LinkHarness.OptionsFor(relay.Port);
        options.OutboxCapacity = 10;
        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, ["stepaudio/testfleet/device-a/events"]);
        await using var harness = LinkHarness.Start(options);
        await harness.WaitForStateAsync(FleetConnectionState.Disconnected);

        for (var i = 0; i < 25; i++)
        {
            await harness.Link.PublishEventAsync("turn", new JsonObject { ["i"] = i });
        }

        Assert.Equal(15, harness.Link.Status.OutboxDropped);
        Assert.Equal(10, harness.Link.Status.OutboxCount);
        relay.Refusing = false;
        var delivered = await fleet.WaitForCountAsync(m => m.Topic == harness.Link.Topics.Events, 10);

        Assert.Equal(Enumerable.Range(15, 10), delivered.Select(IndexOf));
        Assert.Contains(harness.Logs.Records, r => r.EventId.Id == 2007);
    }

    [Fact]
    public async Task PublishEventAsync_WhenManyEventsQueued_ThenAllArriveInOrder()
    {
        const int total = 5000;
        using var broker = new MosquittoBroker();
        var options = LinkHarness.OptionsFor(broker.Port);
        options.OutboxCapacity = total;
        await using var harness = LinkHarness.Start(options);
        await harness.WaitForStateAsync(FleetConnectionState.Connected);
        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [harness.Link.Topics.Events]);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            await harness.Link.PublishEventAsync("turn", new JsonObject { ["i"] = i });
        }

        var delivered = await fleet.WaitForCountAsync(m => m.Topic == harness.Link.Topics.Events, total, TimeSpan.FromSeconds(60));
        output.WriteLine($"{total} QoS 1 events in {clock.Elapsed.TotalMilliseconds:0} ms: {total / clock.Elapsed.TotalSeconds:0} messages/s");
        Assert.Equal(Enumerable.Range(0, total), delivered.Select(IndexOf));
    }

    private static async Task<HashSet<int>> WaitForAllIndicesAsync(FleetObserver observer, string topic, HashSet<int> seen, int total)
    {
        var missing = total - seen.Count;
        var received = await observer.WaitForCountAsync(m => m.Topic == topic && !seen.Contains(IndexOf(m)), missing, what: "missing events");
        var all = new HashSet<int>(seen);
        all.UnionWith(received.Select(IndexOf));
        return all;
    }
}
