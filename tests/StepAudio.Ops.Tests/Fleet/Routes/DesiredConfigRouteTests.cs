using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Ops.Config;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Fleet.Routes;

namespace StepAudio.Ops.Tests.Fleet.Routes;

/// <summary>The <c>config/desired</c> route alone: no broker, a recorded outbox and acknowledgement.</summary>
public sealed class DesiredConfigRouteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("desired-route-").FullName;
    private readonly FleetTopics _topics = new("home", "kitchen");
    private readonly List<OutboxMessage> _sent = [];
    private readonly List<string> _order = [];
    private readonly DesiredConfigRoute _route;

    public DesiredConfigRouteTests()
    {
        var source = new DesiredConfigSource(new DesiredConfigStore(_dir));
        var processor = new DesiredConfigProcessor(source, [], 64 * 1024);
        _route = new DesiredConfigRoute(processor, _topics, m => { _order.Add("sent"); _sent.Add(m); }, NullLogger.Instance);
    }

    [Fact]
    public async Task Handle_WhenTheDocumentIsGood_ThenAcknowledgesBeforeReportingItRetained()
    {
        await _route.HandleAsync(Message("""{"version": 4, "settings": {"Audio": {"Volume": 30}}}"""), CancellationToken.None);

        var report = Assert.Single(_sent);
        Assert.Equal(_topics.ConfigReported, report.Topic);
        Assert.True(report.Retain);
        Assert.Equal(4, JsonDocument.Parse(report.Payload).RootElement.GetProperty("version").GetInt64());
        Assert.Equal(["ack", "sent"], _order);
    }

    [Fact]
    public async Task Handle_WhenTheDocumentIsBroken_ThenRejectedNotRetained()
    {
        await _route.HandleAsync(Message("""{"version": "four"}"""), CancellationToken.None);

        var rejection = Assert.Single(_sent);
        Assert.Equal(_topics.ConfigRejected, rejection.Topic);
        Assert.False(rejection.Retain);
    }

    [Fact]
    public async Task Handle_WhenThePayloadIsEmpty_ThenOnlyAcknowledged()
    {
        await _route.HandleAsync(Message(string.Empty), CancellationToken.None);

        Assert.Empty(_sent);
        Assert.Equal(["ack"], _order);
    }

    [Fact]
    public void ReportFailure_ThenTheFleetHearsProcessingFailedWithTheReason()
    {
        _route.ReportFailure(new IOException("disk full"));

        var rejection = Assert.Single(_sent);
        var root = JsonDocument.Parse(rejection.Payload).RootElement;
        Assert.Equal(DesiredConfigRejectionCodes.ProcessingFailed, root.GetProperty("code").GetString());
        Assert.Contains("disk full", root.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Matches_OnlyThisDevicesDesiredTopic()
    {
        Assert.True(_route.Matches(_topics.ConfigDesired));
        Assert.False(_route.Matches(new FleetTopics("home", "hall").ConfigDesired));
        Assert.False(_route.Matches(_topics.ConfigReported));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private InboundMessage Message(string payload) =>
        new(_topics.ConfigDesired, Encoding.UTF8.GetBytes(payload), null, null, _ => { _order.Add("ack"); return Task.CompletedTask; });
}
