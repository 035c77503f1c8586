using System.Diagnostics;
using System.Text.Json;
using StepAudio.Ops.Config;
using StepAudio.Ops.Fleet;
using StepAudio.TestSupport.Broker;
using Xunit.Abstractions;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class FleetLinkConfigTests(ITestOutputHelper output)
{
    private static JsonElement Json(Received message) => JsonDocument.Parse(message.Payload).RootElement;

    private static Task<FleetObserver> FleetAsync(MosquittoBroker broker, FleetTopics topics) =>
        FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [topics.ConfigReported, topics.ConfigRejected]);

    [Fact]
    public async Task DesiredConfig_WhenValid_ThenPersistedAppliedLiveAndReportedRetained()
    {
        using var broker = new MosquittoBroker();
        await using var harness = LinkHarness.Start(LinkHarness.OptionsFor(broker.Port));
        await harness.WaitForStateAsync(FleetConnectionState.Connected);
        await using var fleet = await FleetAsync(broker, harness.Link.Topics);
        var changed = new TaskCompletionSource<AudioTestOptions>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = harness.Audio.OnChange((o, _) => changed.TrySetResult(o));
        Assert.Equal(40, harness.Audio.CurrentValue.Volume);

        var clock = Stopwatch.StartNew();
        await fleet.PublishAsync(harness.Link.Topics.ConfigDesired, """{"version": 3, "settings": {"Audio": {"Volume": 70, "Device": "hw:1"}}}""", retain: true);
        var reported = await fleet.WaitForAsync(m => m.Topic == harness.Link.Topics.ConfigReported, what: "config/reported");
        output.WriteLine($"desired -> reported round trip: {clock.Elapsed.TotalMilliseconds:0.0} ms");

        var report = Json(reported);
        Assert.Equal(3, report.GetProperty("version").GetInt64());
        Assert.Equal("applied", report.GetProperty("status").GetString());
        Assert.True(report.GetProperty("appliedAt").TryGetDateTimeOffset(out _));
        var live = await changed.Task.WaitAsync(LinkHarness.Timeout);
        Assert.Equal(70, live.Volume);
        Assert.Equal("hw:1", harness.Audio.CurrentValue.Device);
        Assert.True(harness.Store.TryLoad(out var persisted));
        Assert.Equal(3, persisted.Version);
        Assert.Equal(3, harness.Link.Status.ConfigVersion);

        // Retained: a fleet console that connects later still sees what the device runs.
        await using var later = await FleetAsync(broker, harness.Link.Topics);
        var retained = await later.WaitForAsync(m => m.Topic == harness.Link.Topics.ConfigReported, what: "retained config/reported");
        Assert.True(retained.Retain);
        Assert.Equal(3, Json(retained).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task DesiredConfig_WhenInvalidStaleOrDuplicate_ThenRejectedWithReasonAndLastGoodStays()
    {
        using var broker = new MosquittoBroker();
        await using var harness = LinkHarness.Start(LinkHarness.OptionsFor(broker.Port));
        await harness.WaitForStateAsync(FleetConnectionState.Connected);
        await using var fleet = await FleetAsync(broker, harness.Link.Topics);
        var topics = harness.Link.Topics;
        await fleet.PublishAsync(topics.ConfigDesired, """{"version": 5, "settings": {"Audio": {"Volume": 55}}}""");
        await fleet.WaitForAsync(m => m.Topic == topics.ConfigReported && Json(m).GetProperty("version").GetInt64() == 5, what: "v5 applied");

        await fleet.PublishAsync(topics.ConfigDesired, """{"version": 6, "settings": {"Audio": {"Volume": 300}}}""");
        await fleet.PublishAsync(topics.ConfigDesired, """{"version": 4, "settings": {"Audio": {"Volume": 10}}}""");
        await fleet.PublishAsync(topics.ConfigDesired, """{"version": 5, "settings": {"Audio": {"Volume": 55}}}""");
        await fleet.PublishAsync(topics.ConfigDesired, """{"version": 7, "settings": [1, 2]}""");
        await fleet.PublishAsync(topics.ConfigDesired, "{not json");

        var rejected = await fleet.WaitForCountAsync(m => m.Topic == topics.ConfigRejected, 4);
        var unchanged = await fleet.WaitForAsync(m => m.Topic == topics.ConfigReported && Json(m).GetProperty("status").GetString() == "unchanged", what: "duplicate reported unchanged");

        var invalid = Json(rejected[0]);
        Assert.Equal(6, invalid.GetProperty("version").GetInt64());
        Assert.Equal(DesiredConfigRejectionCodes.InvalidSettings, invalid.GetProperty("code").GetString());
        Assert.Equal("Audio:Volume", invalid.GetProperty("path").GetString());
        Assert.Contains("0 to 100", invalid.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(DesiredConfigRejectionCodes.StaleVersion, Json(rejected[1]).GetProperty("code").GetString());
        Assert.Equal(5, Json(unchanged).GetProperty("version").GetInt64());
        Assert.Equal(DesiredConfigRejectionCodes.InvalidDocument, Json(rejected[2]).GetProperty("code").GetString());
        Assert.Equal("settings", Json(rejected[2]).GetProperty("path").GetString());
        Assert.Equal(DesiredConfigRejectionCodes.InvalidJson, Json(rejected[3]).GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, Json(rejected[3]).GetProperty("version").ValueKind);

        Assert.Equal(55, harness.Audio.CurrentValue.Volume);
        Assert.True(harness.Store.TryLoad(out var persisted));
        Assert.Equal(5, persisted.Version);
        Assert.Equal("55", persisted.Document.Settings["Audio:Volume"]);
    }

    [Fact]
    public async Task DesiredConfig_WhenLinkRestarts_ThenPersistedConfigLoadedAtStartAndVersionsStayMonotonic()
    {
        using var broker = new MosquittoBroker();
        var stateDirectory = LinkHarness.NewStateDirectory();
        try
        {
            await RestartWithPersistedConfigAsync(broker, stateDirectory);
        }
        finally
        {
            LinkHarness.DeleteStateDirectory(stateDirectory);
        }
    }

    [Fact]
    public async Task DesiredConfig_WhenPublishedWhileDeviceIsOffline_ThenAppliedOnceAfterReconnect()
    {
        using var broker = new MosquittoBroker();
        var stateDirectory = LinkHarness.NewStateDirectory();
        try
        {
            var options = LinkHarness.OptionsFor(broker.Port);
            FleetTopics topics;
            await using (var before = LinkHarness.Start(options, stateDirectory))
            {
                await before.WaitForStateAsync(FleetConnectionState.Connected);
                topics = before.Link.Topics;
            }

            // The device is away (power, network); the fleet sends it a new configuration meanwhile.
            await using var fleet = await FleetAsync(broker, topics);
            await fleet.PublishAsync(topics.ConfigDesired, """{"version": 5, "settings": {"Audio": {"Volume": 55}}}""", retain: true);

            await using var after = LinkHarness.Start(options, stateDirectory);
            await after.WaitForStateAsync(FleetConnectionState.Connected);
            await fleet.WaitForAsync(m => m.Topic == topics.ConfigReported && Json(m).GetProperty("version").GetInt64() == 5, what: "v5 reported");

            // A marker round trip through the same link: everything the broker had queued for the
            // device has been delivered and answered by the time this one is.
            await fleet.PublishAsync(topics.ConfigDesired, """{"version": 6, "settings": {"Audio": {"Volume": 56}}}""", retain: true);
            await fleet.WaitForAsync(m => m.Topic == topics.ConfigReported && Json(m).GetProperty("version").GetInt64() == 6, what: "v6 reported");

            var applied5 = fleet.Received.Count(m => m.Topic == topics.ConfigReported
                && Json(m).GetProperty("version").GetInt64() == 5 && Json(m).GetProperty("status").GetString() == "applied");
            Assert.Equal(1, applied5);
            Assert.Equal(56, after.Audio.CurrentValue.Volume);
            Assert.Equal(6, after.Processor.CurrentVersion);
        }
        finally
        {
            LinkHarness.DeleteStateDirectory(stateDirectory);
        }
    }

    private static async Task RestartWithPersistedConfigAsync(MosquittoBroker broker, string stateDirectory)
    {
        var options = LinkHarness.OptionsFor(broker.Port);
        await using (var first = LinkHarness.Start(options, stateDirectory))
        {
            await first.WaitForStateAsync(FleetConnectionState.Connected);
            await using var fleet = await FleetAsync(broker, first.Link.Topics);
            await fleet.PublishAsync(first.Link.Topics.ConfigDesired, """{"version": 9, "settings": {"Audio": {"Volume": 77}}}""");
            await fleet.WaitForAsync(m => m.Topic == first.Link.Topics.ConfigReported, what: "v9 applied");
        }

        // A crash between write and rename of a later save leaves a torn temp file behind.
        await File.WriteAllTextAsync(Path.Combine(stateDirectory, DesiredConfigStore.FileName + ".tmp"), """{"version": 10, "settings": {"Audio": {"Vol""");

        await using var second = LinkHarness.Start(options, stateDirectory);
        Assert.Equal(77, second.Audio.CurrentValue.Volume);
        Assert.Equal(9, second.Processor.CurrentVersion);
        Assert.False(File.Exists(second.Store.TempPath));
        Assert.Contains(second.Logs.Records, r => r.EventId.Id == 2300);

        await second.WaitForStateAsync(FleetConnectionState.Connected);
        await using var fleet2 = await FleetAsync(broker, second.Link.Topics);
        await fleet2.PublishAsync(second.Link.Topics.ConfigDesired, """{"version": 8, "settings": {"Audio": {"Volume": 1}}}""");
        var stale = await fleet2.WaitForAsync(m => m.Topic == second.Link.Topics.ConfigRejected, what: "stale v8 rejected");
        Assert.Equal(DesiredConfigRejectionCodes.StaleVersion, Json(stale).GetProperty("code").GetString());
        Assert.Equal(77, second.Audio.CurrentValue.Volume);
    }
}
