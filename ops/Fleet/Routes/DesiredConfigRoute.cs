using Microsoft.Extensions.Logging;
using StepAudio.Ops.Config;

namespace StepAudio.Ops.Fleet.Routes;

/// <summary>
/// <c>config/desired</c>: each retained document is validated and persisted before the broker hears the PUBACK, then
/// answered on <c>config/reported</c> (retained) or <c>config/rejected</c> through the outbox.
/// </summary>
internal sealed class DesiredConfigRoute
{
    private readonly DesiredConfigProcessor _config;
    private readonly FleetTopics _topics;
    private readonly Action<OutboxMessage> _enqueue;
    private readonly ILogger _logger;

    public DesiredConfigRoute(DesiredConfigProcessor config, FleetTopics topics, Action<OutboxMessage> enqueue, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(enqueue);
        ArgumentNullException.ThrowIfNull(logger);
        _config = config;
        _topics = topics;
        _enqueue = enqueue;
        _logger = logger;
    }

    public bool Matches(string topic) => topic == _topics.ConfigDesired;

    public async Task HandleAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Payload.Length == 0)
        {
            // An empty retained message is how the fleet clears the topic; it is not a document.
            FleetLinkLog.DesiredCleared(_logger);
            await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var decision = _config.Evaluate(message.Payload);
        await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
        if (decision.Kind == DesiredConfigDecisionKind.Rejected)
        {
            _enqueue(new OutboxMessage(_topics.ConfigRejected, decision.Rejection!.ToJson()));
            return;
        }

        var report = _config.Apply(decision);
        _enqueue(new OutboxMessage(_topics.ConfigReported, report.ToJson()) { Retain = true });
    }

    /// <summary>Tells the fleet that a document broke processing (it is acknowledged by the caller, so it cannot come back).</summary>
    public void ReportFailure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _enqueue(new OutboxMessage(_topics.ConfigRejected, new DesiredConfigRejection(
            null, DesiredConfigRejectionCodes.ProcessingFailed, $"The device failed to process the document: {exception.Message}", null).ToJson()));
    }
}
