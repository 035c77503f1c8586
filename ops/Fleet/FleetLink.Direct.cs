using System.Buffers;
using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace StepAudio.Ops.Fleet;

/// <summary>
/// Direct traffic for latency-bound peers of the link (home arbitration): extra QoS 0 subscriptions delivered straight
/// from the receive loop, and QoS 0 publishes that bypass the outbox. Nothing here is queued or retried: a message is
/// only worth something within milliseconds, so while offline it is simply not sent.
/// </summary>
public sealed partial class FleetLink
{
    private readonly ConcurrentDictionary<string, DirectSubscription> _directSubscriptions = new(StringComparer.Ordinal);
    private volatile IMqttClient? _liveClient;

    /// <summary>
    /// Subscribes (QoS 0, no-local: the device does not hear itself) to the exact <paramref name="topic"/> on every
    /// connection, now included if the link is online. <paramref name="onMessage"/> runs on the client's receive loop
    /// with a copy of the payload: it must return quickly and must not wait on the link. With
    /// <paramref name="atLeastOnce"/> the subscription is QoS 1, so the broker keeps messages for the device's session
    /// while it is offline (OTA jobs); the handler then also runs for messages the device published itself.
    /// </summary>
    public void AddDirectSubscription(string topic, Action<string, ReadOnlyMemory<byte>> onMessage, bool atLeastOnce = false)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        if (!IsPublishableTopic(topic))
        {
            throw new ArgumentException($"'{topic}' is not an exact topic (no wildcards, at most 1024 characters).", nameof(topic));
        }

        var subscription = new DirectSubscription(onMessage, atLeastOnce);
        if (!_directSubscriptions.TryAdd(topic, subscription))
        {
            throw new InvalidOperationException($"The link already has a direct subscription to '{topic}'.");
        }

        // Subscribing twice is harmless: a connect that already listed this topic and this call may overlap.
        if (_liveClient is { IsConnected: true } client)
        {
            _ = SubscribeDirectLiveAsync(client, topic, subscription);
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
        if (!IsPublishableTopic(topic) || !topic.StartsWith(Topics.Device + "/", StringComparison.Ordinal))
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
        if (!IsPublishableTopic(topic))
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
            Log.DirectPublishFailed(_logger, topic, ex.Message);
            return false;
        }
    }

    private static MqttTopicFilter DirectFilter(string topic, DirectSubscription subscription) =>
        subscription.AtLeastOnce
            ? new MqttTopicFilterBuilder().WithTopic(topic).WithAtLeastOnceQoS().Build()
            : new MqttTopicFilterBuilder().WithTopic(topic).WithAtMostOnceQoS().WithNoLocal(true).Build();

    private void AddDirectFilters(MqttClientSubscribeOptionsBuilder subscribe)
    {
        foreach (var (topic, subscription) in _directSubscriptions)
        {
            subscribe.WithTopicFilter(DirectFilter(topic, subscription));
        }
    }

    /// <summary>True when the message belonged to a direct subscription and was delivered to its handler.</summary>
    private bool TryDeliverDirect(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        if (!_directSubscriptions.TryGetValue(message.Topic, out var subscription))
        {
            return false;
        }

        try
        {
            subscription.OnMessage(message.Topic, message.Payload.ToArray());
        }
#pragma warning disable CA1031 // A faulty peer handler must not take the receive loop, and with it the link, down.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.DirectHandlerFailed(_logger, message.Topic, ex);
        }

        return true;
    }

    private async Task SubscribeDirectLiveAsync(IMqttClient client, string topic, DirectSubscription subscription)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
            var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(DirectFilter(topic, subscription)).Build(), timeout.Token).ConfigureAwait(false);
            CheckSubscription(result);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
        {
            // The next connect subscribes again.
            Log.DirectPublishFailed(_logger, topic, ex.Message);
        }
    }

    private sealed record DirectSubscription(Action<string, ReadOnlyMemory<byte>> OnMessage, bool AtLeastOnce);
}
