using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Server;

namespace StepAudio.Ops.Fleet;

/// <summary>
/// The default broker when none is configured: an MQTTnet server bound to loopback only, with persistent sessions
/// and retained messages kept in memory, so the link behaves the same with or without a fleet.
/// </summary>
public sealed partial class EmbeddedBroker : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly MqttServer _server;

    public EmbeddedBroker(int port, ILogger<EmbeddedBroker>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        Port = port;
        _logger = logger ?? NullLogger<EmbeddedBroker>.Instance;
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.IPv6Loopback)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions(true)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
    }

    public int Port { get; }

    public bool IsStarted => _server.IsStarted;

    /// <summary>Starts listening on 127.0.0.1:<see cref="Port"/>; throws when the port cannot be bound.</summary>
    public async Task StartAsync()
    {
        if (_server.IsStarted)
        {
            return;
        }

        await _server.StartAsync();
        Log.Started(_logger, Port);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server.IsStarted)
        {
            await _server.StopAsync(new MqttServerStopOptions());
            Log.Stopped(_logger, Port);
        }

        _server.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "No broker configured: embedded MQTT broker listening on 127.0.0.1:{Port}")]
        public static partial void Started(ILogger logger, int port);

        [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Embedded MQTT broker on port {Port} stopped")]
        public static partial void Stopped(ILogger logger, int port);
    }
}
