using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;

namespace StepAudio.Ops.Fleet.Routes;

/// <summary>
/// The inbound queue of one connection: the receive loop only hands each QoS 1 message over (it must not wait on work
/// that itself needs the receive loop), and this loop gives it to its route, in order: <c>config/desired</c> to
/// <see cref="DesiredConfigRoute"/>, <c>cmd/+</c> to <see cref="CommandRoute"/>.
/// </summary>
internal sealed class InboundRouter
{
    private readonly DesiredConfigRoute _config;
    private readonly CommandRoute _commands;
    private readonly ILogger _logger;

    public InboundRouter(DesiredConfigRoute config, CommandRoute commands, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(logger);
        _config = config;
        _commands = commands;
        _logger = logger;
    }

    /// <summary>Copies a received message out of MQTTnet's buffers and queues it; acknowledged later, in order, by the processor.</summary>
    public static async Task HandOverAsync(MqttApplicationMessageReceivedEventArgs e, ChannelWriter<InboundMessage> writer, CancellationToken cancellationToken)
    {
        e.AutoAcknowledge = false;
        var message = e.ApplicationMessage;
        var inbound = new InboundMessage(message.Topic, message.Payload.ToArray(), message.ResponseTopic, message.CorrelationData, e.AcknowledgeAsync);
        try
        {
            await writer.WriteAsync(inbound, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            // The connection is ending; the unacknowledged message is redelivered on the next session.
        }
    }

    /// <summary>Routes every queued message until the connection ends; commands run until <paramref name="linkStopping"/>.</summary>
    public async Task RunAsync(ChannelReader<InboundMessage> reader, CancellationToken linkStopping, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await DispatchAsync(message, linkStopping, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not (OperationCanceledException or MqttCommunicationException))
                {
                    // A message that breaks processing must not break the link, nor come back forever: answer and ack it.
                    FleetLinkLog.InboundFailed(_logger, message.Topic, ex);
                    if (_config.Matches(message.Topic))
                    {
                        _config.ReportFailure(ex);
                    }

                    await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task DispatchAsync(InboundMessage message, CancellationToken linkStopping, CancellationToken cancellationToken)
    {
        if (_config.Matches(message.Topic))
        {
            await _config.HandleAsync(message, cancellationToken).ConfigureAwait(false);
        }
        else if (_commands.TryMatch(message.Topic, out var name))
        {
            await _commands.StartAsync(name, message, linkStopping, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            FleetLinkLog.UnexpectedTopic(_logger, message.Topic);
            await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
