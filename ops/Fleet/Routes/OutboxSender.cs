using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace StepAudio.Ops.Fleet.Routes;

/// <summary>
/// Drains the outbox over one connection, in order, at QoS 1: a message leaves the outbox only once the broker
/// acknowledged it, or refused it for good (an unsendable message would block the outbox forever).
/// </summary>
internal sealed class OutboxSender
{
    private readonly Outbox _outbox;
    private readonly ILogger _logger;
    private long _refused;

    public OutboxSender(Outbox outbox, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(logger);
        _outbox = outbox;
        _logger = logger;
    }

    /// <summary>Messages the broker refused, or that could not be sent at all; each was dropped.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Sends until cancelled; a broken connection ends it with the client's exception.</summary>
    public async Task RunAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            while (true)
            {
                await _outbox.WaitForMessageAsync(cancellationToken).ConfigureAwait(false);
                while (_outbox.TryPeek(out var sequence, out var message))
                {
                    await SendAsync(client, message, cancellationToken).ConfigureAwait(false);
                    _outbox.Remove(sequence);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(IMqttClient client, OutboxMessage message, CancellationToken cancellationToken)
    {
        var application = new MqttApplicationMessageBuilder()
            .WithTopic(message.Topic)
            .WithPayload(message.Payload.ToArray())
            .WithContentType(message.ContentType)
            .WithRetainFlag(message.Retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!message.CorrelationData.IsEmpty)
        {
            application.WithCorrelationData(message.CorrelationData.ToArray());
        }

        MqttClientPublishResult result;
        try
        {
            result = await client.PublishAsync(application.Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MqttProtocolViolationException or ArgumentException)
        {
            Interlocked.Increment(ref _refused);
            FleetLinkLog.MessageRefused(_logger, message.Topic, ex.Message);
            return;
        }

        if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
        {
            Interlocked.Increment(ref _refused);
            FleetLinkLog.MessageRefused(_logger, message.Topic, $"{result.ReasonCode} {result.ReasonString}");
        }
    }
}
