using System.Text;
using StepAudio.Ops.Fleet;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Broker;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class FleetLinkFuzzTests
{
    [Fact]
    public async Task DesiredConfigAndCommands_WhenFuzzed_ThenEveryMessageAnsweredAndLinkStaysUp()
    {
        const int documents = 300;
        const int commands = 300;
        var fuzz = new FuzzPayloads(seed: 20250611);
        using var broker = new MosquittoBroker();
        var options = LinkHarness.OptionsFor(broker.Port);
        options.MaxInboundPayloadBytes = 4096;
        options.OutboxCapacity = documents + commands + 10;
        await using var harness = LinkHarness.Start(options);
        await harness.WaitForStateAsync(FleetConnectionState.Connected);
        var topics = harness.Link.Topics;
        var inbox = topics.Device + "/replies/fuzz";
        await using var fleet = await FleetObserver.ConnectAsync(
            broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [topics.ConfigReported, topics.ConfigRejected, inbox]);

        for (var i = 0; i < documents; i++)
        {
            await fleet.PublishAsync(topics.ConfigDesired, fuzz.NextConfig());
        }

        string[] names = ["ping", "set-volume", "explode", "no-such-command", "PING"];
        for (var i = 0; i < commands; i++)
        {
            await fleet.PublishAsync(topics.Command(fuzz.Pick(names)), fuzz.NextCommandPayload(), responseTopic: inbox, correlation: Encoding.UTF8.GetBytes($"fuzz-{i}"));
        }

        var answers = await fleet.WaitForCountAsync(m => m.Topic == topics.ConfigReported || m.Topic == topics.ConfigRejected, documents, TimeSpan.FromSeconds(60));
        var replies = await fleet.WaitForCountAsync(m => m.Topic == inbox, commands, TimeSpan.FromSeconds(60));

        Assert.Equal(documents, answers.Count);
        Assert.Equal(
            Enumerable.Range(0, commands).Select(i => $"fuzz-{i}").Order(StringComparer.Ordinal),
            replies.Select(r => Encoding.UTF8.GetString(r.CorrelationData!)).Order(StringComparer.Ordinal));
        Assert.Equal(1, harness.Link.Status.Connects);
        Assert.Equal(FleetConnectionState.Connected, harness.Link.State);

        // Still fully working afterwards.
        await fleet.PublishAsync(topics.ConfigDesired, """{"version": 1000, "settings": {"Audio": {"Volume": 12}}}""");
        await fleet.WaitForAsync(m => m.Topic == topics.ConfigReported && m.Text.Contains("\"version\":1000", StringComparison.Ordinal), what: "final config applied");
        Assert.Equal(12, harness.Audio.CurrentValue.Volume);
    }
}
