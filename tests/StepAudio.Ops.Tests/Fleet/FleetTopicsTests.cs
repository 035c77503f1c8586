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
}
