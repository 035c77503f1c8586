using System.Buffers;
using System.Text;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace StepAudio.TestSupport.Broker;

/// <summary>One received message as the observer saw it.</summary>
public sealed record Received(string Topic, byte[] Payload, bool Retain, string? ResponseTopic, byte[]? CorrelationData)
{
    public string Text => Encoding.UTF8.GetString(Payload);
}

/// <summary>
/// A plain MQTTnet client playing the fleet side (or a misbehaving device): records what arrives and lets a test await
/// a message matching a predicate, bounded by a timeout, without sleeping.
/// </summary>
public sealed class FleetObserver : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly List<Received> _received = [];
    private readonly List<Waiter> _waiters = [];
    private readonly Lock _gate = new();

    private FleetObserver(IMqttClient client) => Client = client;

    public IMqttClient Client { get; }

    public IReadOnlyList<Received> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Connects as <paramref name="user"/> (client id = user unless given) and subscribes to <paramref name="filters"/>.</summary>
    public static async Task<FleetObserver> ConnectAsync(
        int port, string user, string password, IEnumerable<string> filters, string? clientId = null, bool persistentSession = false)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var observer = new FleetObserver(client);
        client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            observer.Add(new Received(m.Topic, m.Payload.ToArray(), m.Retain, m.ResponseTopic, m.CorrelationData));
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId ?? user + "-" + Guid.NewGuid().ToString("N")[..6])
            .WithCredentials(user, password)
            .WithCleanStart(!persistentSession)
            .WithSessionExpiryInterval(persistentSession ? 600u : 0u)
            .Build();
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var result = await client.ConnectAsync(options, timeout.Token);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"Observer {user} could not connect: {result.ResultCode}");
        }

        foreach (var filter in filters)
        {
            await client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce, timeout.Token);
        }

        return observer;
    }

    /// <summary>Completes with the first message (already received or yet to come) that matches; throws on timeout.</summary>
    public async Task<Received> WaitForAsync(Func<Received, bool> match, TimeSpan? timeout = null, string? what = null) =>
        (await WaitForCountAsync(match, 1, timeout, what))[0];

    /// <summary>Completes when <paramref name="count"/> matching messages have arrived (counting those already here).</summary>
    public async Task<IReadOnlyList<Received>> WaitForCountAsync(Func<Received, bool> match, int count, TimeSpan? timeout = null, string? what = null)
    {
        var waiter = new Waiter(match, count);
        lock (_gate)
        {
            foreach (var message in _received)
            {
                waiter.Offer(message);
            }

            if (!waiter.Done.Task.IsCompleted)
            {
                _waiters.Add(waiter);
            }
        }

        var limit = timeout ?? DefaultTimeout;
        try
        {
            return await waiter.Done.Task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            int seen;
            lock (_gate)
            {
                _waiters.Remove(waiter);
                seen = waiter.Seen.Count;
            }

            throw new TimeoutException($"Saw {seen} of {count} {what ?? "matching messages"} within {limit.TotalSeconds} s.");
        }
    }

    public Task PublishAsync(string topic, string payload, bool retain = false, string? responseTopic = null, byte[]? correlation = null) =>
        PublishAsync(topic, Encoding.UTF8.GetBytes(payload), retain, responseTopic, correlation);

    public async Task<MqttClientPublishResult> PublishAsync(string topic, byte[] payload, bool retain = false, string? responseTopic = null, byte[]? correlation = null)
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

        using var timeout = new CancellationTokenSource(DefaultTimeout);
        return await Client.PublishAsync(builder.Build(), timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (Client.IsConnected)
        {
            using var timeout = new CancellationTokenSource(DefaultTimeout);
            try
            {
                await Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token);
            }
            catch (MqttCommunicationException)
            {
                // The broker may have been killed under us; there is nobody left to say goodbye to.
            }
        }

        Client.Dispose();
    }

    private void Add(Received message)
    {
        lock (_gate)
        {
            _received.Add(message);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Offer(message))
                {
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private sealed class Waiter(Func<Received, bool> match, int count)
    {
        public List<Received> Seen { get; } = [];

        public TaskCompletionSource<IReadOnlyList<Received>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>True when this message completed the wait.</summary>
        public bool Offer(Received message)
        {
            if (!match(message))
            {
                return false;
            }

            Seen.Add(message);
            if (Seen.Count < count)
            {
                return false;
            }

            Done.TrySetResult([.. Seen]);
            return true;
        }
    }
}
