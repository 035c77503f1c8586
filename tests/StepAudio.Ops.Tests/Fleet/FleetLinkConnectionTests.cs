using StepAudio.Ops.Fleet;
using StepAudio.Ops.Tests.Broker;
using StepAudio.TestSupport.Broker;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class FleetLinkConnectionTests
{
    [Fact]
    public async Task RunAsync_WhenBrokerReachable_ThenPublishesRetainedOnline()
    {
        using var broker = new MosquittoBroker();
        await using var harness = LinkHarness.Start(LinkHarness.OptionsFor(broker.Port));
        await harness.WaitForStateAsync(FleetConnectionState.Connected);

        // Subscribing after the fact: only a retained message can be there.
        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [harness.Link.Topics.State]);
        var state = await fleet.WaitForAsync(m => m.Topic == harness.Link.Topics.State, what: "retained state");

        Assert.Equal("online", state.Text);
        Assert.True(state.Retain);
        Assert.Equal(FleetConnectionState.Connected, harness.Link.Status.State);
        Assert.Null(harness.Link.LastError);
    }

    [Fact]
    public async Task RunAsync_WhenConnectionDropsAbruptly_ThenBrokerPublishesWillOfflineAndLinkComesBackOnline()
    {
        using var broker = new MosquittoBroker();
        using var relay = new TcpRelay(broker.Port);
        await using var harness = LinkHarness.Start(LinkHarness.OptionsFor(relay.Port));
        await harness.WaitForStateAsync(FleetConnectionState.Connected);
        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [harness.Link.Topics.State]);
        await fleet.WaitForAsync(m => m.Text == "online", what: "online");

        relay.DropAll();

        var offline = await fleet.WaitForAsync(m => m.Text == "offline", what: "will 'offline'");
        Assert.Equal(harness.Link.Topics.State, offline.Topic);
        await harness.WaitForStateAsync(FleetConnectionState.Connected, count: 2);
        var online = await fleet.WaitForAsync(m => m.Text == "online" && !m.Retain, what: "'online' again after reconnect");
        Assert.Equal(harness.Link.Topics.State, online.Topic);
        Assert.Equal(2, harness.Link.Status.Connects);
        Assert.Contains("lost", harness.Link.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopAsync_WhenConnected_ThenPublishesOfflineAndStops()
    {
        using var broker = new MosquittoBroker();
        var harness = LinkHarness.Start(LinkHarness.OptionsFor(broker.Port));
        await harness.WaitForStateAsync(FleetConnectionState.Connected);
        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [harness.Link.Topics.State]);
        await fleet.WaitForAsync(m => m.Text == "online", what: "online");

        await harness.DisposeAsync();

        await fleet.WaitForAsync(m => m.Text == "offline", what: "'offline' on clean stop");
        Assert.Equal(FleetConnectionState.Stopped, harness.Link.State);
    }

    [Fact]
    public async Task RunAsync_WhenPasswordWrong_ThenLogsClearErrorAndKeepsRetryingOffline()
    {
        using var broker = new MosquittoBroker();
        await using var harness = LinkHarness.Start(LinkHarness.OptionsFor(broker.Port, password: "wrong"));

        await harness.WaitForStateAsync(FleetConnectionState.Disconnected, count: 2);
        await harness.Link.PublishEventAsync("wake");

        Assert.Contains("user name or password", harness.Link.LastError, StringComparison.Ordinal);
        Assert.Contains(harness.Logs.Records, r => r.EventId.Id == 2001 && r.Message.Contains("user name or password", StringComparison.Ordinal));
        Assert.False(harness.Run.IsCompleted);
        Assert.Equal(1, harness.Link.Outbox.Count);
        Assert.DoesNotContain(FleetConnectionState.Connected, harness.Transitions);
    }
}
