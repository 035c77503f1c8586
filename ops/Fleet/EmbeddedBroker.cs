using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace StepAudio.Ops.Fleet;

/// <summary>
/// The default broker when none is configured: an MQTTnet server bound to loopback only, with persistent sessions
/// and retained messages kept in memory, so the link behaves the same with or without a fleet. Loopback is not a
/// boundary on a box that runs other processes, and MQTTnet's server listens on TCP only, so every client must give
/// the one username and password the broker was made with; anonymous and wrong credentials are refused.
/// </summary>
public sealed partial class EmbeddedBroker : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly MqttServer _server;

    private readonly byte[] _username;
    private readonly byte[] _password;

    /// <summary>Creates the broker; clients must connect as <paramref name="username"/> with <paramref name="password"/>.</summary>
    public EmbeddedBroker(int port, string username, string password, ILogger<EmbeddedBroker>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(password);
        Port = port;
        _username = Encoding.UTF8.GetBytes(username);
        _password = Encoding.UTF8.GetBytes(password);
        _logger = logger ?? NullLogger<EmbeddedBroker>.Instance;
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.IPv6Loopback)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions(true)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
    }

    private static readonly Lazy<string> ProcessPassword = new(() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    /// <summary>
    /// The password of the embedded broker when none is configured: made once per process, so the broker, the link
    /// and an in-process diagnose agree on it, and nothing outside this process knows it.
    /// </summary>
    public static string RunPassword => ProcessPassword.Value;

    public int Port { get; }

    public bool IsStarted => _server.IsStarted;

    /// <summary>Starts listening on 127.0.0.1:<see cref="Port"/>; throws when the port cannot be bound.</summary>
    public async Task StartAsync()
    {
        if (_server.IsStarted)
        {
            return;
        }

        await _server.StartAsync().ConfigureAwait(false);
        Log.Started(_logger, Port);
    }

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var user = Encoding.UTF8.GetBytes(e.UserName ?? string.Empty);
        var password = Encoding.UTF8.GetBytes(e.Password ?? string.Empty);
        // Both compared in full, in constant time, so a refusal says nothing about which half was wrong.
        var userMatches = CryptographicOperations.FixedTimeEquals(user, _username);
        var passwordMatches = CryptographicOperations.FixedTimeEquals(password, _password);
        if (!(userMatches & passwordMatches))
        {
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            Log.Refused(_logger, e.ClientId, string.IsNullOrEmpty(e.UserName));
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server.IsStarted)
        {
            await _server.StopAsync(new MqttServerStopOptions()).ConfigureAwait(false);
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

        [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Embedded MQTT broker refused client {ClientId}: bad credentials (anonymous: {Anonymous})")]
        public static partial void Refused(ILogger logger, string clientId, bool anonymous);
    }
}
