using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Tests.Broker;
using StepAudio.TestSupport.Broker;
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

    /// <remarks>
    /// Mosquitto acknowledges a QoS 1 publish before its forwarding and its autosave reach the wire or the disk, so a
    /// SIGKILL can take with it an event the broker had already acknowledged. That window belongs to the broker; what
    /// the link owns is everything it had not yet handed over, and none of that may be lost.
    /// </remarks>
    [Fact]
    public async Task PublishEventAsync_WhenBrokerKilledAndRestarted_ThenNoEventTheLinkHeldIsLost()
    {
        const int total = 400;
        using var broker = new MosquittoBroker(saveEveryChange: true);
        await using var harness = LinkHarness.Start(LinkHarness.OptionsFor(broker.Port));
        await harness.WaitForStateAsync(FleetConnectionState.Connected);
        var events = harness.Link.Topics.Events;
        var observerId = "fleet-observer-" + Guid.NewGuid().ToString("N")[..6];
        var fleet = await FleetObserver.ConnectAsync(
            broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [events], observerId, persistentSession: true);

        for (var i = 0; i < total / 2; i++)
        {
            await harness.Link.PublishEventAsync("turn", new JsonObject { ["i"] = i });
        }

        // Kill mid-stream: some events delivered, some in flight, the rest still in the outbox.
        await fleet.WaitForCountAsync(m => m.Topic == events, total / 8);
        broker.Kill();
        await fleet.DisposeAsync();
        for (var i = total / 2; i < total; i++)
        {
            await harness.Link.PublishEventAsync("turn", new JsonObject { ["i"] = i });
        }

        await harness.WaitForStateAsync(FleetConnectionState.Disconnected);
        var ackedByDeadBroker = (int)(harness.Link.Outbox.Enqueued - harness.Link.Outbox.Count);
        var downtime = Stopwatch.StartNew();
        broker.Restart();
        var restarted = downtime.Elapsed;
        await harness.WaitForStateAsync(FleetConnectionState.Connected, count: 2);
        var reconnect = downtime.Elapsed - restarted;

        // The observer's persistent session (saved by the broker) kept its subscription and queued what it missed.
        await using var again = await FleetObserver.ConnectAsync(
            broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [], observerId, persistentSession: true);
        var seenBefore = new HashSet<int>(fleet.Received.Where(m => m.Topic == events).Select(IndexOf));
        var heldByLink = Enumerable.Range(ackedByDeadBroker, total - ackedByDeadBroker).Where(i => !seenBefore.Contains(i)).ToHashSet();
        var afterRestart = await again.WaitForCountAsync(m => m.Topic == events && heldByLink.Contains(IndexOf(m)), heldByLink.Count, what: "events the link still held");

        var arrived = new HashSet<int>(seenBefore);
        arrived.UnionWith(again.Received.Where(m => m.Topic == events).Select(IndexOf));
        var lostByBroker = Enumerable.Range(0, ackedByDeadBroker).Count(i => !arrived.Contains(i));
        var duplicates = fleet.Received.Count(m => m.Topic == events) + again.Received.Count(m => m.Topic == events) - arrived.Count;
        output.WriteLine($"kill/restart: {total} events, {ackedByDeadBroker} acknowledged by the broker before the kill, reconnect {reconnect.TotalMilliseconds:0} ms after restart, " +
            $"lost by the link 0 of {heldByLink.Count} it held, lost by the broker {lostByBroker}, duplicates {duplicates}, outbox dropped {harness.Link.Outbox.Dropped}");
        Assert.Equal(heldByLink.Order(), afterRestart.Select(IndexOf).Distinct().Order());
        Assert.True(heldByLink.Count >= total / 2, "the kill happened before the second half was even published");
        Assert.Equal(0, harness.Link.Outbox.Dropped);
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
}
