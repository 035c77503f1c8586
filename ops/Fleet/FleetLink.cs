using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Config;
using StepAudio.Ops.Telemetry;

namespace StepAudio.Ops.Fleet;

/// <summary>
/// The device's MQTT link to its fleet. One supervisor loop (<see cref="RunAsync"/>, run it from a BackgroundService)
/// owns connect, disconnect and reconnect with exponential backoff and jitter; the client's Disconnected event only
/// signals that loop. Each connection has its own CancellationTokenSource owning its loops (outbox sender, inbound
/// processing, telemetry, keep-alive supervision). On every connect the link re-subscribes and publishes the
/// retained "online"; the will is "offline". QoS 1 traffic goes through a bounded <see cref="Outbox"/> that outlives
/// connections. Without a configured broker it runs an <see cref="EmbeddedBroker"/> on loopback.
/// </summary>
public sealed partial class FleetLink : IDisposable
{
    /// <summary>Version of the event document layout.</summary>
    public const int EventSchemaVersion = 1;

    internal const string OnlinePayload = "online";
    internal const string OfflinePayload = "offline";

    private readonly FleetLinkOptions _options;
    private readonly DesiredConfigProcessor _config;
    private readonly CommandDispatcher _commands;
    private readonly TelemetryCollector? _telemetry;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ReconnectBackoff _backoff;
    private readonly BrokerConnectionSettings _broker;
    private readonly TelemetryBudget _telemetryBudget;
    private readonly MqttClientFactory _clientFactory = new();
    private readonly ConcurrentDictionary<Task, byte> _runningCommands = new();
    private readonly SemaphoreSlim _commandSlots = new(MaxConcurrentCommands, MaxConcurrentCommands);
    private readonly Lock _statusGate = new();
    private const int MaxConcurrentCommands = 8;
    private FleetConnectionState _state = FleetConnectionState.Stopped;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private DateTimeOffset? _connectedSince;
    private long _connects;
    private long _messagesRefused;
    private long _telemetrySent;
    private long _telemetryDropped;
    private long _eventSequence;
    private int _running;
    private CancellationToken _linkStopping;

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
        _commands = commands;
        _telemetry = telemetry;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<FleetLink>();
        _time = time ?? TimeProvider.System;
        Topics = new FleetTopics(_options.Fleet, _options.DeviceId);
        Outbox = new Outbox(_options.OutboxCapacity);
        _backoff = new ReconnectBackoff(_options.BackoffMin, _options.BackoffMax);
        _broker = new BrokerConnectionSettings(_options, Topics);
        _telemetryBudget = new TelemetryBudget(_options.TelemetryMaxMessagesPerInterval);
        if (_options.IsRemotePlaintext)
        {
            Log.PlaintextBroker(_logger, _broker.Endpoint);
        }
    }

    /// <summary>Raised (on the supervisor's thread) whenever <see cref="State"/> changes.</summary>
    public event EventHandler<FleetConnectionState>? StateChanged;

    public FleetTopics Topics { get; }

    /// <summary>QoS 1 messages waiting for the broker; survives disconnects.</summary>
    public Outbox Outbox { get; }

    public FleetConnectionState State
    {
        get
        {
            lock (_statusGate)
            {
                return _state;
            }
        }
    }

    /// <summary>The last connection or protocol problem, worded for an operator; null while none happened.</summary>
    public string? LastError
    {
        get
        {
            lock (_statusGate)
            {
                return _lastError;
            }
        }
    }

    /// <summary>Everything diagnose reports about the link.</summary>
    public FleetLinkStatus Status
    {
        get
        {
            lock (_statusGate)
            {
                return new FleetLinkStatus(
                    _state, _broker.Endpoint, _lastError, _lastErrorAt, _connectedSince, Interlocked.Read(ref _connects),
                    Outbox.Count, Outbox.Dropped, Interlocked.Read(ref _messagesRefused), Interlocked.Read(ref _telemetrySent),
                    Interlocked.Read(ref _telemetryDropped), _config.CurrentVersion);
            }
        }
    }

    /// <summary>
    /// Queues an event for <c>events</c> (QoS 1) as <c>{schema, type, time, seq, data}</c>. Returns at once; the event is
    /// sent when online, and while offline it waits in the outbox (oldest dropped when full).
    /// </summary>
    public ValueTask PublishEventAsync(string type, JsonNode? data = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        cancellationToken.ThrowIfCancellationRequested();
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schema", EventSchemaVersion);
            writer.WriteString("type", type);
            writer.WriteString("time", _time.GetUtcNow());
            writer.WriteNumber("seq", Interlocked.Increment(ref _eventSequence));
            writer.WritePropertyName("data");
            if (data is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                data.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        Enqueue(new OutboxMessage(Topics.Events, buffer.WrittenSpan.ToArray()));
        return ValueTask.CompletedTask;
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
                Log.Retrying(_logger, delay.TotalMilliseconds, attempt);
                await Task.Delay(delay, _time, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
        finally
        {
            await Task.WhenAll(_runningCommands.Keys).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            if (embedded is not null)
            {
                await embedded.DisposeAsync().ConfigureAwait(false);
            }

            SetState(FleetConnectionState.Stopped);
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Releases the command slots; call after <see cref="RunAsync"/> has returned.</summary>
    public void Dispose() => _commandSlots.Dispose();

    internal void Enqueue(OutboxMessage message)
    {
        if (!Outbox.Enqueue(message))
        {
            Log.OutboxFull(_logger, Outbox.Capacity, Outbox.Dropped);
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
            Log.EmbeddedBrokerFailed(_logger, _options.EmbeddedBrokerPort, ex);
            return null;
        }
    }

    private void SetState(FleetConnectionState state)
    {
        lock (_statusGate)
        {
            if (_state == state)
            {
                return;
            }

            _state = state;
            _connectedSince = state == FleetConnectionState.Connected ? _time.GetUtcNow() : null;
        }

        StateChanged?.Invoke(this, state);
    }

    private void RecordError(string error)
    {
        lock (_statusGate)
        {
            _lastError = error;
            _lastErrorAt = _time.GetUtcNow();
        }
    }
}
