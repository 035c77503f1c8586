using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Config;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Tests.Fakes;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class FleetLinkPlaintextTests : IDisposable
{
    private readonly string _dir = LinkHarness.NewStateDirectory();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("192.0.2.7", true, 1)]
    [InlineData("127.0.0.1", false, 0)]
    public void Constructor_WhenPlaintextRemoteBrokerIsAllowed_ThenWarnsOnce(string host, bool allow, int warnings)
    {
        using var logs = new RecordingLoggerFactory();
        var options = new FleetLinkOptions { DeviceId = "dev-1", BrokerHost = host, AllowPlaintext = allow };
        var source = new DesiredConfigSource(new DesiredConfigStore(_dir, logs.CreateLogger<DesiredConfigStore>()));
        var processor = new DesiredConfigProcessor(source, [], options.MaxInboundPayloadBytes, logs.CreateLogger<DesiredConfigProcessor>());
        var commands = new CommandDispatcher([], options.CommandTimeout, options.MaxInboundPayloadBytes, logs.CreateLogger<CommandDispatcher>());

        using var link = new FleetLink(Options.Create(options), processor, commands, null, logs);

        Assert.Equal(warnings, logs.Records.Count(r => r.EventId.Id == 2015 && r.Level == LogLevel.Warning));
    }

    [Fact]
    public void Validate_WhenPlaintextRemoteBrokerIsNotAllowed_ThenRefusesNamingTheOption()
    {
        var options = new FleetLinkOptions { DeviceId = "dev-1", BrokerHost = "broker.example.net" };

        var result = new FleetLinkOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Fleet:AllowPlaintext", result.FailureMessage, StringComparison.Ordinal);
    }
}
