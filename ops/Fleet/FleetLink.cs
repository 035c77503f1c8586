using System.Buffers;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Config;
using StepAudio.Ops.Fleet.Routes;
using StepAudio.Ops.Telemetry;

namespace StepAudio.Ops.Fleet;

/// <summary>
/// The device's MQTT link to its fleet: the connection supervisor. One loop (<see cref="RunAsync"/>, run it from a
/// BackgroundService) owns connect, disconnect and reconnect with exponential backoff and jitter; the client's
/// Disconnected event only signals that loop. Each connection has its own CancellationTokenSource owning its loops;
/// what travels on it is the routes' business, one class each under <c>Routes/</c>: the outbox sender (QoS 1 events,
/// replies, reports), <see cref="DesiredConfigRoute"/>, <see cref="CommandRoute"/>, <see cref="TelemetryRoute"/> and the
/// direct routes peers add (OTA jobs, home arbitration). On every connect the link re-subscribes and publishes the
/// retained "online"; the will is "offline". QoS 1 traffic goes through a bounded <see cref="Outbox"/> that outlives
/// connections. Without a configured broker it runs an <see cref="EmbeddedBroker"/> on loopback.
/// </summary>
public sealed class FleetLink : IDisposable
{
    /// <summary>Version of the event document layout.</summary>
    public const int EventSchemaVersion = 1;

    internal const string OnlinePayload = "online";
    internal const string OfflinePayload = "offline";

    private const int InboundQueueLength = 256;

    private readonly FleetLinkOptions _options;
    private readonly DesiredConfigProcessor _config;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ReconnectBackoff _backoff;
    private readonly BrokerConnectionSettings _broker;
    private readonly MqttClientFactory _clientFactory = new();
    private readonly OutboxSender _sender;
    private readonly CommandRoute _commandRoute;
    private readonly InboundRouter _inbound;
    private readonly TelemetryRoute? _telemetryRoute;
    private readonly DirectRoutes _directRoutes;
    private readonly EventDocuments _events;
    private readonly FleetLinkHealth _health;
    private int _running;
    private CancellationToken _linkStopping;
    private volatile IMqttClient? _liveClient;

    public FleetLink(
        IOptions<FleetLinkOptions> options,
        DesiredConfigProcessor config,
        CommandDispatcher commands,
        TelemetryCollector? telemetry = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(commands);
        _options = options.Value;
        _config = config;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<FleetLink>();
        _time = time ?? TimeProvider.System;
        _health = new FleetLinkHealth(_time);
        Topics = new FleetTopics(_options.Fleet, _options.DeviceId);
        Outbox = new Outbox(_options.OutboxCapacity);
        _backoff = new ReconnectBackoff(_options.BackoffMin, _options.BackoffMax);
        _broker = new BrokerConnectionSettings(_options, Topics);
        _sender = new OutboxSender(Outbox, _logger);
        _commandRoute = new CommandRoute(commands, Topics, Enqueue);
        _inbound = new InboundRouter(new DesiredConfigRoute(config, Topics, Enqueue, _logger), _commandRoute, _logger);
        _telemetryRoute = telemetry is null ? null : new TelemetryRoute(telemetry, Topics, _options.TelemetryInterval, _options.TelemetryMaxMessagesPerInterval, _time);
        _directRoutes = new DirectRoutes(_logger);
        _events = new EventDocuments(_time);
        if (_options.IsRemotePlaintext)
        {
            FleetLinkLog.PlaintextBroker(_logger, _broker.Endpoint);
        }
    }

    /// <summary>Raised (on the supervisor's thread) whenever <see cref="State"/> changes.</summary>
    public event EventHandler<FleetConnectionState>? StateChanged;

    public FleetTopics Topics { get; }

    /// <summary>QoS 1 messages waiting for the broker; survives disconnects.</summary>
    public Outbox Outbox { get; }

    public FleetConnectionState State => _health.State;

    /// <summary>The last connection or protocol problem, worded for an operator; null while none happened.</summary>
    public string? LastError => _health.LastError;

    /// <summary>Everything diagnose reports about the link.</summary>
    public FleetLinkStatus Status => _health.Snapshot(_broker.Endpoint) with
    {
        OutboxCount = Outbox.Count,
        OutboxDropped = Outbox.Dropped,
        MessagesRefused = _sender.Refused,
        TelemetrySent = _telemetryRoute?.Sent ?? 0,
        TelemetryDropped = _telemetryRoute?.Dropped ?? 0,
        ConfigVersion = _config.CurrentVersion,
    };

    /// <summary>
    /// Queues an event for <c>events</c> (QoS 1) as <c>{schema, type, time, seq, data}</c>. Returns at once; the event is
    /// sent when online, and while offline it waits in the outbox (oldest dropped when full).
    /// </summary>
    public ValueTask PublishEventAsync(string type, JsonNode? data = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        cancellationToken.ThrowIfCancellationRequested();
        Enqueue(new OutboxMessage(Topics.Events, _events.Write(type, data)));
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Subscribes (QoS 0, no-local: the device does not hear itself) to the exact <paramref name="topic"/> on every
    /// connection, now included if the link is online. <paramref name="onMessage"/> runs on the client's receive loop
    /// with a copy of the payload: it must return quickly and must not wait on the link. With
    /// <paramref name="atLeastOnce"/> the subscription is QoS 1, so the broker keeps messages for the device's session
    /// while it is offline (OTA jobs); the handler then also runs for messages the device published itself.
    /// </summary>
    public void AddDirectSubscription(string topic, Action<string, ReadOnlyMemory<byte>> onMessage, bool atLeastOnce = false)
    {
        var filter = _directRoutes.Add(topic, onMessage, atLeastOnce);

        // Subscribing twice is harmless: a connect that already listed this topic and this call may overlap.
        if (_liveClient is { IsConnected: true } client)
        {
            _ = SubscribeDirectLiveAsync(client, filter);
        }
    }

    /// <summary>
    /// Queues a QoS 1 message for a topic inside this device's subtree (<c>ota/status</c>, say) through the outbox, like
    /// events: sent when online, kept while offline.
    /// </summary>
    public ValueTask PublishOnDeviceTopicAsync(string topic, ReadOnlyMemory<byte> payload, bool retain = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        cancellationToken.ThrowIfCancellationRequested();
        if (!FleetTopics.IsExactTopic(topic) || !topic.StartsWith(Topics.Device + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{topic}' is not an exact topic under {Topics.Device}/: the broker lets a device write only its own subtree.", nameof(topic));
        }

        Enqueue(new OutboxMessage(topic, payload.ToArray()) { Retain = retain });
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Publishes at QoS 0 right now, ahead of the outbox; false when the link is not online or the send failed.
    /// </summary>
    public async Task<bool> TryPublishNowAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!FleetTopics.IsExactTopic(topic))
        {
            throw new ArgumentException($"'{topic}' is not an exact topic (no wildcards, at most 1024 characters).", nameof(topic));
        }

        if (_liveClient is not { IsConnected: true } client || State != FleetConnectionState.Connected)
        {
            return false;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithContentType("application/json")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce)
            .Build();
        try
        {
            await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is MqttCommunicationException or ObjectDisposedException)
        {
            FleetLinkLog.DirectPublishFailed(_logger, topic, ex.Message);
            return false;
        }
    }

    /// <summary>
    /// The supervisor loop: connects, stays connected while pings succeed, reconnects with backoff; returns when
    /// <paramref name="stoppingToken"/> fires, after publishing "offline" and disconnecting cleanly.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("FleetLink.RunAsync is already running; one supervisor loop per link.");
        }

        _linkStopping = stoppingToken;
        EmbeddedBroker? embedded = null;
        var attempt = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_options.UsesEmbeddedBroker && embedded is null)
                {
                    SetState(FleetConnectionState.Connecting);
                    embedded = await TryStartEmbeddedBrokerAsync().ConfigureAwait(false);
                }

                if (!_options.UsesEmbeddedBroker || embedded is not null)
                {
                    if (await RunConnectionAsync(stoppingToken).ConfigureAwait(false))
                    {
                        attempt = 0;
                    }
                }

                if (stoppingToken.IsCancellationRequested)
                {
                    break;
                }

                SetState(FleetConnectionState.Disconnected);
                var delay = _backoff.Delay(attempt);
                attempt = Math.Min(attempt + 1, 30);
                FleetLinkLog.Retrying(_logger, delay.TotalMilliseconds, attempt);
                await Task.Delay(delay, _time, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
        finally
        {
            await _commandRoute.DrainAsync().ConfigureAwait(false);
            if (embedded is not null)
            {
                await embedded.DisposeAsync().ConfigureAwait(false);
            }

            SetState(FleetConnectionState.Stopped);
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Releases the command slots; call after <see cref="RunAsync"/> has returned.</summary>
    public void Dispose() => _commandRoute.Dispose();

    internal void Enqueue(OutboxMessage message)
    {
        if (!Outbox.Enqueue(message))
        {
            FleetLinkLog.OutboxFull(_logger, Outbox.Capacity, Outbox.Dropped);
        }
    }

    private async Task<EmbeddedBroker?> TryStartEmbeddedBrokerAsync()
    {
        var broker = new EmbeddedBroker(_options.EmbeddedBrokerPort, _broker.Username!, _broker.Password!, _loggerFactory.CreateLogger<EmbeddedBroker>());
        try
        {
            await broker.StartAsync().ConfigureAwait(false);
            return broker;
        }
#pragma warning disable CA1031 // Whatever stops the embedded broker, the device keeps running offline and retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await broker.DisposeAsync().ConfigureAwait(false);
            RecordError($"The embedded broker could not listen on 127.0.0.1:{_options.EmbeddedBrokerPort}: {ex.Message}");
            FleetLinkLog.EmbeddedBrokerFailed(_logger, _options.EmbeddedBrokerPort, ex);
            return null;
        }
    }

    private void SetState(FleetConnectionState state)
    {
        if (_health.TrySet(state))
        {
            StateChanged?.Invoke(this, state);
        }
    }

    private void RecordError(string error) => _health.RecordError(error);

    /// <summary>Runs one connection to its end; true when it got as far as online (so the backoff starts over).</summary>
    private async Task<bool> RunConnectionAsync(CancellationToken stoppingToken)
    {
        SetState(FleetConnectionState.Connecting);
        using var client = _clientFactory.CreateMqttClient();
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var lost = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbound = Channel.CreateBounded<InboundMessage>(new BoundedChannelOptions(InboundQueueLength)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        // Handlers only signal or hand over: reconnecting is the supervisor's job, and the receive loop must not wait
        // on work that itself needs the receive loop (a QoS 1 publish waiting for its PUBACK would deadlock it).
        client.DisconnectedAsync += e =>
        {
            lost.TrySetResult(e);
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e =>
            _directRoutes.TryDeliver(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()) ? Task.CompletedTask : InboundRouter.HandOverAsync(e, inbound.Writer, connection.Token);

        if (!await TryConnectAsync(client, connection.Token).ConfigureAwait(false))
        {
            _liveClient = null;
            return false;
        }

        var sender = _sender.RunAsync(client, connection.Token);
        var receiver = _inbound.RunAsync(inbound.Reader, _linkStopping, connection.Token);
        var telemetry = _telemetryRoute?.RunAsync((message, token) => client.PublishAsync(message, token), connection.Token) ?? Task.CompletedTask;
        SetState(FleetConnectionState.Connected);
        FleetLinkLog.Connected(_logger, _broker.Endpoint, Topics.Device);

        var reason = await SuperviseAsync(client, lost.Task, sender, receiver, stoppingToken).ConfigureAwait(false);
        _liveClient = null;
        await connection.CancelAsync().ConfigureAwait(false);
        inbound.Writer.TryComplete();
        await Task.WhenAll(sender, receiver, telemetry).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);

        if (stoppingToken.IsCancellationRequested)
        {
            await GoOfflineAsync(client).ConfigureAwait(false);
            FleetLinkLog.Stopped(_logger, _broker.Endpoint);
        }
        else
        {
            RecordError($"Connection to {_broker.Endpoint} lost: {reason}");
            FleetLinkLog.ConnectionLost(_logger, _broker.Endpoint, reason);
        }

        return true;
    }

    private async Task<bool> TryConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.ConnectAsync(_broker.Build(), cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                ReportConnectFailure(Refusal(result.ResultCode, result.ReasonString), null);
                return false;
            }

            // Live before the subscriptions are listed: a direct subscription added meanwhile is subscribed either way.
            _liveClient = client;
            await SubscribeAsync(client, cancellationToken).ConfigureAwait(false);
            await client.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(Topics.State)
                    .WithPayload(OnlinePayload)
                    .WithRetainFlag(true)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (FleetLinkConfigurationException ex)
        {
            ReportConnectFailure(ex.Message, ex);
            return false;
        }
        catch (MqttConnectingFailedException ex)
        {
            ReportConnectFailure(DescribeConnectFailure(ex), ex);
            return false;
        }
        catch (MqttCommunicationException ex)
        {
            ReportConnectFailure(DescribeConnectFailure(ex), ex);
            return false;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or System.Net.Sockets.SocketException)
        {
            ReportConnectFailure(DescribeConnectFailure(ex), ex);
            return false;
        }
    }

    private async Task SubscribeAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.ConfigDesired, MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.CommandFilter, MqttQualityOfServiceLevel.AtLeastOnce);
        _directRoutes.AddFilters(subscribe);
        CheckSubscription(await client.SubscribeAsync(subscribe.Build(), cancellationToken).ConfigureAwait(false));
    }

    private void CheckSubscription(MqttClientSubscribeResult result)
    {
        foreach (var item in result.Items)
        {
            if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
            {
                // Keep going: the rest of the link is still useful, and the error says which topic the broker refused.
                RecordError($"Broker refused the subscription to {item.TopicFilter.Topic}: {item.ResultCode}");
                FleetLinkLog.SubscriptionRefused(_logger, item.TopicFilter.Topic, item.ResultCode.ToString());
            }
        }
    }

    /// <summary>Waits until the connection ends: the client reports it lost, a ping fails, or a loop gave up.</summary>
    private async Task<string> SuperviseAsync(IMqttClient client, Task<MqttClientDisconnectedEventArgs> lost, Task sender, Task receiver, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var tick = Task.Delay(_options.KeepAlive, _time, stoppingToken);
            var first = await Task.WhenAny(lost, sender, receiver, tick).ConfigureAwait(false);
            if (first == lost)
            {
                var e = await lost.ConfigureAwait(false);
                return e.Exception is { } ex ? $"{e.Reason}: {ex.Message}" : e.ReasonString ?? e.Reason.ToString();
            }

            if (first == sender || first == receiver)
            {
                return first.Exception?.GetBaseException().Message ?? "the connection stopped accepting publishes";
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            if (!await client.TryPingAsync(stoppingToken).ConfigureAwait(false))
            {
                return $"no ping response within {_options.ConnectTimeout.TotalSeconds:0.#} s";
            }
        }

        return "stopping";
    }

    private async Task GoOfflineAsync(IMqttClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        // A clean disconnect suppresses the will, so say "offline" ourselves first.
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
        try
        {
            await client.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(Topics.State).WithPayload(OfflinePayload).WithRetainFlag(true)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                timeout.Token).ConfigureAwait(false);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException)
        {
            FleetLinkLog.OfflineNotPublished(_logger, ex.Message);
        }
    }

    private void ReportConnectFailure(string problem, Exception? exception)
    {
        RecordError(problem);
        FleetLinkLog.ConnectFailed(_logger, _broker.Endpoint, problem, exception);
    }

    private string DescribeConnectFailure(Exception exception) => BrokerFailureText.DescribeConnectFailure(exception, _broker, _options);

    private string Refusal(MqttClientConnectResultCode code, string? reason) => BrokerFailureText.Refusal(code, reason, _broker, _options);

    private async Task SubscribeDirectLiveAsync(IMqttClient client, MQTTnet.Packets.MqttTopicFilter filter)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
            var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter).Build(), timeout.Token).ConfigureAwait(false);
            CheckSubscription(result);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
        {
            // The next connect subscribes again.
            FleetLinkLog.DirectPublishFailed(_logger, filter.Topic, ex.Message);
        }
    }
}
