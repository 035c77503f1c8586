using System.Text;
using System.Text.Json;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Fleet;
using StepAudio.TestSupport.Broker;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class FleetLinkCommandTests
{
    private static JsonElement Json(Received message) => JsonDocument.Parse(message.Payload).RootElement;

    private static async Task<(LinkHarness Harness, FleetObserver Fleet, string Inbox)> StartAsync(MosquittoBroker broker)
    {
        var harness = LinkHarness.Start(LinkHarness.OptionsFor(broker.Port));
        await harness.WaitForStateAsync(FleetConnectionState.Connected);

        // Replies must land inside the device's subtree: the ACL lets the device write nowhere else.
        var inbox = harness.Link.Topics.Device + "/replies/console-1";
        var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [inbox, harness.Link.Topics.Device + "/cmd/+/reply"]);
        return (harness, fleet, inbox);
    }

    private static async Task<JsonElement> CallAsync(FleetObserver fleet, LinkHarness harness, string inbox, string command, string payload, string correlation)
    {
        var id = Encoding.UTF8.GetBytes(correlation);
        await fleet.PublishAsync(harness.Link.Topics.Command(command), payload, responseTopic: inbox, correlation: id);
        var reply = await fleet.WaitForAsync(m => m.Topic == inbox && m.CorrelationData is not null && m.CorrelationData.SequenceEqual(id), what: $"reply to {correlation}");
        return Json(reply);
    }

    [Fact]
    public async Task Ping_WhenCalledWithResponseTopic_ThenCorrelatedReplyOnThatTopic()
    {
        using var broker = new MosquittoBroker();
        var (harness, fleet, inbox) = await StartAsync(broker);
        await using var _ = harness;
        await using var __ = fleet;

        var reply = await CallAsync(fleet, harness, inbox, "ping", """{"echo": "hello"}""", "req-1");

        Assert.Equal("ok", reply.GetProperty("status").GetString());
        Assert.Equal("ping", reply.GetProperty("command").GetString());
        Assert.True(reply.GetProperty("result").GetProperty("pong").GetBoolean());
        Assert.Equal("hello", reply.GetProperty("result").GetProperty("echo").GetString());
    }

    [Fact]
    public async Task Commands_WhenUnknownBadPayloadThrowingOrHanging_ThenEachGetsAnErrorReply()
    {
        using var broker = new MosquittoBroker();
        var (harness, fleet, inbox) = await StartAsync(broker);
        await using var _ = harness;
        await using var __ = fleet;

        var unknown = await CallAsync(fleet, harness, inbox, "self-destruct", "{}", "c-unknown");
        var notJson = await CallAsync(fleet, harness, inbox, "ping", "{\"echo\":", "c-json");
        var wrongShape = await CallAsync(fleet, harness, inbox, "set-volume", """{"level": "loud"}""", "c-shape");
        var threw = await CallAsync(fleet, harness, inbox, "explode", string.Empty, "c-throw");
        var hung = await CallAsync(fleet, harness, inbox, "hang", string.Empty, "c-hang");
        var fine = await CallAsync(fleet, harness, inbox, "set-volume", """{"level": 30}""", "c-ok");

        Assert.Equal(CommandErrorCodes.UnknownCommand, unknown.GetProperty("code").GetString());
        Assert.Contains("ping", unknown.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(CommandErrorCodes.BadPayload, notJson.GetProperty("code").GetString());
        Assert.Equal(CommandErrorCodes.BadPayload, wrongShape.GetProperty("code").GetString());
        Assert.Equal(CommandErrorCodes.HandlerFailed, threw.GetProperty("code").GetString());
        Assert.Contains("boom", threw.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(CommandErrorCodes.Timeout, hung.GetProperty("code").GetString());
        Assert.Equal("ok", fine.GetProperty("status").GetString());
        Assert.Equal(30, harness.SetVolume.Level);
    }

    [Fact]
    public async Task Command_WhenNoResponseTopic_ThenReplyOnDefaultReplyTopic()
    {
        using var broker = new MosquittoBroker();
        var (harness, fleet, _) = await StartAsync(broker);
        await using var h = harness;
        await using var f = fleet;

        await fleet.PublishAsync(harness.Link.Topics.Command("ping"), string.Empty);

        var reply = await fleet.WaitForAsync(m => m.Topic == harness.Link.Topics.CommandReply("ping"), what: "reply on cmd/ping/reply");
        Assert.Equal("ok", Json(reply).GetProperty("status").GetString());
    }

    [Fact]
    public async Task RunAsync_WhenBrokerRestartsWithoutState_ThenResubscribesAndRepublishesOnline()
    {
        using var broker = new MosquittoBroker();
        await using var harness = LinkHarness.Start(LinkHarness.OptionsFor(broker.Port));
        await harness.WaitForStateAsync(FleetConnectionState.Connected);

        broker.Restart(forgetState: true);
        await harness.WaitForStateAsync(FleetConnectionState.Connected, count: 2);

        // The broker forgot every session and retained message: both of these exist only if the link redid them.
        await using var fleet = await FleetObserver.ConnectAsync(
            broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [harness.Link.Topics.State, harness.Link.Topics.Device + "/replies/#"]);
        var state = await fleet.WaitForAsync(m => m.Topic == harness.Link.Topics.State, what: "retained online");
        Assert.Equal("online", state.Text);
        var reply = await CallAsync(fleet, harness, harness.Link.Topics.Device + "/replies/after-restart", "ping", string.Empty, "after-restart");
        Assert.Equal("ok", reply.GetProperty("status").GetString());
    }
}
