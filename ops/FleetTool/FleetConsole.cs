using System.Buffers;
using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using StepAudio.Ops.Fleet;

namespace StepAudio.FleetTool;

/// <summary>The broker could not be reached, or refused the operator.</summary>
internal sealed class FleetUnreachableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One message as the console received it.</summary>
internal sealed record FleetMessage(string Topic, byte[] Payload, bool Retain, byte[]? CorrelationData)
{
    public string Text => Encoding.UTF8.GetString(Payload);

    /// <summary>Topic level <paramref name="index"/> (0 = "stepaudio"), or null when the topic is shorter.</summary>
    public string? Level(int index)
    {
        var levels = Topic.Split('/');
        return index < levels.Length ? levels[index] : null;
    }
}

/// <summary>
/// The operator's MQTT session: connects with a clean, short-lived session, queues everything it receives, and can
/// <see cref="SyncAsync">sync</see>: a round trip through the broker after which every retained message of the earlier
/// subscriptions has arrived (the broker delivers them in order on the one connection), so reading retained state
/// never needs a guessed pause.
/// </summary>
internal sealed class FleetConsole : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly Channel<FleetMessage> _inbox = Channel.CreateUnbounded<FleetMessage>(new UnboundedChannelOptions { SingleReader = true });

    private FleetConsole(IMqttClient client, FleetConsoleSettings settings, string clientId)
    {
        _client = client;
        Settings = settings;
        ClientId = clientId;
        SyncTopic = FleetTopics.ConsoleSync(settings.Fleet, clientId);
    }

    public FleetConsoleSettings Settings { get; }

    public string ClientId { get; }

    private string SyncTopic { get; }

    public static async Task<FleetConsole> ConnectAsync(FleetConsoleSettings settings, CancellationToken cancellationToken)
    {
        var clientId = "stepaudio-console-" + Guid.NewGuid().ToString("N")[..10];
        var options = settings.Build(clientId);
        var client = new MqttClientFactory().CreateMqttClient();
        var console = new FleetConsole(client, settings, clientId);
        client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            console._inbox.Writer.TryWrite(new FleetMessage(m.Topic, m.Payload.ToArray(), m.Retain, m.CorrelationData));
            return Task.CompletedTask;
        };

        try
        {
            using var timeout = Linked(settings.Timeout, cancellationToken);
            var result = await client.ConnectAsync(options, timeout.Token);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new FleetUnreachableException($"{settings.Endpoint} refused the connection: {result.ResultCode} (check --username/--password).");
            }

            return console;
        }
        catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new FleetUnreachableException($"Cannot reach the broker at {settings.Endpoint}: {ex.GetBaseException().Message}", ex);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Subscribes at QoS 1; throws naming the filter when the broker refuses it.</summary>
    public async Task SubscribeAsync(IEnumerable<string> filters, CancellationToken cancellationToken)
    {
        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            builder.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        using var timeout = Linked(Settings.Timeout, cancellationToken);
        var result = await _client.SubscribeAsync(builder.Build(), timeout.Token);
        foreach (var item in result.Items)
        {
            if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
            {
                throw new FleetUnreachableException($"The broker refused the subscription to {item.TopicFilter.Topic}: {item.ResultCode} (is --username the fleet operator?).");
            }
        }
    }

    /// <summary>Returns everything received up to a round trip through the broker: all retained messages of earlier subscriptions.</summary>
    public async Task<IReadOnlyList<FleetMessage>> SyncAsync(CancellationToken cancellationToken)
    {
        await SubscribeAsync([SyncTopic], cancellationToken);
        var marker = Guid.NewGuid().ToString("N");
        await PublishAsync(SyncTopic, Encoding.UTF8.GetBytes(marker), retain: false, cancellationToken: cancellationToken);
        var before = new List<FleetMessage>();
        using var timeout = Linked(Settings.Timeout, cancellationToken);
        try
        {
            await foreach (var message in _inbox.Reader.ReadAllAsync(timeout.Token))
            {
                if (message.Topic == SyncTopic && message.Text == marker)
                {
                    return before;
                }

                before.Add(message);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        throw new FleetUnreachableException($"The broker at {Settings.Endpoint} did not echo the console's own message within {Settings.Timeout.TotalSeconds:0.#} s.");
    }

    public async Task PublishAsync(
        string topic, byte[] payload, bool retain, string? responseTopic = null, byte[]? correlation = null, CancellationToken cancellationToken = default)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (responseTopic is not null)
        {
            builder.WithResponseTopic(responseTopic);
        }

        if (correlation is not null)
        {
            builder.WithCorrelationData(correlation);
        }

        using var timeout = Linked(Settings.Timeout, cancellationToken);
        var result = await _client.PublishAsync(builder.Build(), timeout.Token);
        if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
        {
            throw new FleetUnreachableException($"The broker refused the message on {topic}: {result.ReasonCode} {result.ReasonString}");
        }
    }

    /// <summary>The next message, or null once <paramref name="deadline"/> passed.</summary>
    public async Task<FleetMessage?> ReceiveAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var left = deadline - DateTimeOffset.UtcNow;
        if (left <= TimeSpan.Zero)
        {
            return _inbox.Reader.TryRead(out var ready) ? ready : null;
        }

        using var timeout = Linked(left, cancellationToken);
        try
        {
            return await _inbox.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Every message as it comes, until <paramref name="cancellationToken"/> fires.</summary>
    public IAsyncEnumerable<FleetMessage> ReadAllAsync(CancellationToken cancellationToken) => _inbox.Reader.ReadAllAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            using var timeout = new CancellationTokenSource(Settings.Timeout);
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token);
            }
            catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException)
            {
                // Leaving anyway; the broker drops the clean session on its own.
            }
        }

        _client.Dispose();
    }

    private static CancellationTokenSource Linked(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(timeout);
        return source;
    }
}
