using StepAudio.Ops.Fleet;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class FleetTopicsTests
{
    [Fact]
    public void Topics_WhenBuilt_ThenFollowTheDesignTree()
    {
        var topics = new FleetTopics("lab", "kitchen-01");

        Assert.Equal("stepaudio/lab/kitchen-01/state", topics.State);
        Assert.Equal("stepaudio/lab/kitchen-01/events", topics.Events);
        Assert.Equal("stepaudio/lab/kitchen-01/config/desired", topics.ConfigDesired);
        Assert.Equal("stepaudio/lab/kitchen-01/config/reported", topics.ConfigReported);
        Assert.Equal("stepaudio/lab/kitchen-01/config/rejected", topics.ConfigRejected);
        Assert.Equal("stepaudio/lab/kitchen-01/cmd/+", topics.CommandFilter);
        Assert.Equal("stepaudio/lab/kitchen-01/cmd/set-volume", topics.Command("set-volume"));
        Assert.Equal("stepaudio/lab/kitchen-01/telemetry/vad", topics.Telemetry("vad"));
        Assert.Equal("stepaudio/lab/kitchen-01/ota/job", topics.OtaJob);
        Assert.Equal("stepaudio/lab/kitchen-01/ota/status", topics.OtaStatus);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("")]
    [InlineData("with space")]
    public void Constructor_WhenSegmentInvalid_ThenThrowsNamingIt(string device)
    {
        var error = Assert.Throws<ArgumentException>(() => new FleetTopics("lab", device));

        Assert.Contains("deviceId", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stepaudio/lab/dev/cmd/ping", true, "ping")]
    [InlineData("stepaudio/lab/dev/cmd/ping/reply", false, "")]
    [InlineData("stepaudio/lab/other/cmd/ping", false, "")]
    [InlineData("stepaudio/lab/dev/cmd/", false, "")]
    public void TryParseCommand_WhenTopicGiven_ThenOnlyThisDevicesCommands(string topic, bool expected, string name)
    {
        var topics = new FleetTopics("lab", "dev");

        Assert.Equal(expected, topics.TryParseCommand(topic, out var parsed));
        Assert.Equal(name, parsed);
    }

    [Fact]
    public void AnyDevice_ThenEveryTopicIsAFilterWithAWildcardForTheDevice()
    {
        var all = FleetTopics.AnyDevice("lab");

        Assert.True(all.IsFilter);
        Assert.False(new FleetTopics("lab", "dev").IsFilter);
        Assert.Equal("stepaudio/lab/+/state", all.State);
        Assert.Equal("stepaudio/lab/+/config/reported", all.ConfigReported);
        Assert.Equal("stepaudio/lab/+/events", all.Events);
        Assert.Equal("stepaudio/lab/+/telemetry/+", all.TelemetryFilter);
    }

    [Theory]
    [InlineData(FleetTopics.HomesSegment)]
    [InlineData(FleetTopics.ConsoleSegment)]
    public void Constructor_WhenTheDeviceIdIsAReservedLevel_ThenRefused(string device)
    {
        var error = Assert.Throws<ArgumentException>(() => new FleetTopics("lab", device));

        Assert.Contains("reserved", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsoleTopics_ThenRepliesStayInTheDevicesSubtreeAndSyncInTheConsolesOwn()
    {
        Assert.Equal("stepaudio/lab/dev/replies/console-1", new FleetTopics("lab", "dev").Replies("console-1"));
        Assert.Equal("stepaudio/lab/_console/console-1/sync", FleetTopics.ConsoleSync("lab", "console-1"));
        Assert.Throws<ArgumentException>(() => FleetTopics.ConsoleSync("lab", "a/b"));
    }

    [Theory]
    [InlineData("stepaudio/lab/dev/state", "dev")]
    [InlineData("stepaudio/lab/dev/telemetry/vad", "dev")]
    [InlineData("stepaudio/lab/homes/h1/arbitration", null)]
    [InlineData("stepaudio/lab/_console/c1/sync", null)]
    [InlineData("stepaudio/other/dev/state", null)]
    [InlineData("stepaudio/lab", null)]
    public void DeviceOf_ThenTheThirdLevelOfThisFleetsDeviceTopics(string topic, string? device)
    {
        Assert.Equal(device, FleetTopics.DeviceOf(topic, "lab"));
    }
}
