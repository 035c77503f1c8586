using System.Buffers;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using StepAudio.Ops.Config;

namespace StepAudio.Ops.Fleet;

/// <summary>The per-connection loops: outbox sender, inbound processing (config, commands) and telemetry.</summary>
public sealed partial class FleetLink
{
    /// <summary>Copies a received message out of MQTTnet's buffers and queues it; acknowledged later, in order, by the processor.</summary>
    private static async Task HandOverAsync(MqttApplicationMessageReceivedEventArgs e, ChannelWriter<InboundMessage> writer, CancellationToken cancellationToken)
    {
        e.AutoAcknowledge = false;
        var message = e.ApplicationMessage;
        var inbound = new InboundMessage(message.Topic, message.Payload.ToArray(), message.ResponseTopic, message.CorrelationData, e);
        try
        {
            await writer.WriteAsync(inbound, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            // The connection is ending; the unacknowledged message is redelivered on the next session.
        }
    }

    private async Task ProcessInboundAsync(ChannelReader<InboundMessage> reader, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await DispatchInboundAsync(message, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not (OperationCanceledException or MqttCommunicationException))
                {
                    // A message that breaks processing must not break the link, nor come back forever: answer and ack it.
                    Log.InboundFailed(_logger, message.Topic, ex);
                    if (message.Topic == Topics.ConfigDesired)
                    {
                        Enqueue(new OutboxMessage(Topics.ConfigRejected, new DesiredConfigRejection(
                            null, DesiredConfigRejectionCodes.ProcessingFailed, $"The device failed to process the document: {ex.Message}", null).ToJson()));
                    }

                    await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task DispatchInboundAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        if (message.Topic == Topics.ConfigDesired)
        {
            await HandleDesiredConfigAsync(message, cancellationToken).ConfigureAwait(false);
        }
        else if (Topics.TryParseCommand(message.Topic, out var name))
        {
            await StartCommandAsync(name, message, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Log.UnexpectedTopic(_logger, message.Topic);
            await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandleDesiredConfigAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        if (message.Payload.Length == 0)
        {
            // An empty retained message is how the fleet clears the topic; it is not a document.
            Log.DesiredCleared(_logger);
            await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        // Validated and persisted before the broker hears the PUBACK: a crash before this point means redelivery.
        var decision = _config.Evaluate(message.Payload);
        await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
        if (decision.Kind == DesiredConfigDecisionKind.Rejected)
        {
            Enqueue(new OutboxMessage(Topics.ConfigRejected, decision.Rejection!.ToJson()));
            return;
        }

        var report = _config.Apply(decision);
        Enqueue(new OutboxMessage(Topics.ConfigReported, report.ToJson()) { Retain = true });
    }

    private async Task StartCommandAsync(string name, InboundMessage message, CancellationToken cancellationToken)
    {
        // A slot first (they bound how many handlers run at once), then the acknowledgement: a command is never
        // acknowledged and then left unrun. The handler runs beside the loop and its reply goes through the outbox,
        // so the reply outlives a connection drop.
        await _commandSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _commandSlots.Release();
            throw;
        }

        var replyTopic = IsPublishableTopic(message.ResponseTopic) ? message.ResponseTopic! : Topics.CommandReply(name);
        var correlation = message.CorrelationData ?? [];
        var run = Task.Run(
            async () =>
            {
                try
                {
                    var reply = await _commands.DispatchAsync(name, message.Payload, _linkStopping).ConfigureAwait(false);
                    Enqueue(new OutboxMessage(replyTopic, reply) { CorrelationData = correlation });
                }
                finally
                {
                    _commandSlots.Release();
                }
            },
            CancellationToken.None);
        _runningCommands.TryAdd(run, 0);
        _ = run.ContinueWith(t => _runningCommands.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Drains the outbox in order; a message leaves it only once the broker acknowledged it.</summary>
    private async Task SendOutboxAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Outbox.WaitForMessageAsync(cancellationToken).ConfigureAwait(false);
                while (Outbox.TryPeek(out var sequence, out var message))
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
                        // The message itself is unsendable; keeping it would block the outbox forever.
                        Outbox.Remove(sequence);
                        Interlocked.Increment(ref _messagesRefused);
                        Log.MessageRefused(_logger, message.Topic, ex.Message);
                        continue;
                    }

                    if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
                    {
                        Interlocked.Increment(ref _messagesRefused);
                        Log.MessageRefused(_logger, message.Topic, $"{result.ReasonCode} {result.ReasonString}");
                    }

                    Outbox.Remove(sequence);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Publishes one aggregated message per stream per interval, QoS 0, at most the configured number per interval.</summary>
    private async Task PublishTelemetryAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        if (_telemetry is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.TelemetryInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var chosen = _telemetryBudget.Select(_telemetry.Collect(), out var dropped);
                Interlocked.Add(ref _telemetryDropped, dropped);
                foreach (var snapshot in chosen)
                {
                    if (!FleetTopics.IsValidSegment(snapshot.Stream))
                    {
                        Interlocked.Increment(ref _telemetryDropped);
                        continue;
                    }

                    var message = new MqttApplicationMessageBuilder()
                        .WithTopic(Topics.Telemetry(snapshot.Stream))
                        .WithPayload(snapshot.ToJson())
                        .WithContentType("application/json")
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce)
                        .Build();
                    await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _telemetrySent);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (MqttCommunicationException)
        {
            // Telemetry is lossy by design; the supervisor notices the broken connection on its own.
            Interlocked.Increment(ref _telemetryDropped);
        }
    }

    private static bool IsPublishableTopic(string? topic) =>
        !string.IsNullOrEmpty(topic) && topic.Length <= 1024 && topic.IndexOfAny(['+', '#', '\0']) < 0;
}

/// <summary>A received message, copied out of the client's buffers, with its pending acknowledgement.</summary>
internal sealed record InboundMessage(string Topic, byte[] Payload, string? ResponseTopic, byte[]? CorrelationData, MqttApplicationMessageReceivedEventArgs Receipt)
{
    public Task AcknowledgeAsync(CancellationToken cancellationToken) => Receipt.AcknowledgeAsync(cancellationToken);
}
