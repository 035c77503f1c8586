using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Packets;

namespace StepAudio.Ops.Fleet.Routes;

/// <summary>
/// The routes peers of the link add for themselves (OTA jobs on <c>ota/job</c>, home arbitration claims): exact topics
/// subscribed on every connection and delivered straight from the client's receive loop, without the inbound queue.
/// </summary>
internal sealed class DirectRoutes
{
    private readonly ConcurrentDictionary<string, DirectSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    public DirectRoutes(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    /// <summary>Adds a route; its topic filter is returned so a live connection can subscribe to it now.</summary>
    public MqttTopicFilter Add(string topic, Action<string, ReadOnlyMemory<byte>> onMessage, bool atLeastOnce)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        if (!FleetTopics.IsExactTopic(topic))
        {
            throw new ArgumentException($"'{topic}' is not an exact topic (no wildcards, at most 1024 characters).", nameof(topic));
        }

        var subscription = new DirectSubscription(onMessage, atLeastOnce);
        if (!_subscriptions.TryAdd(topic, subscription))
        {
            throw new InvalidOperationException($"The link already has a direct subscription to '{topic}'.");
        }

        return Filter(topic, subscription);
    }

    /// <summary>Lists every route's filter in a connection's SUBSCRIBE.</summary>
    public void AddFilters(MqttClientSubscribeOptionsBuilder subscribe)
    {
        ArgumentNullException.ThrowIfNull(subscribe);
        foreach (var (topic, subscription) in _subscriptions)
        {
            subscribe.WithTopicFilter(Filter(topic, subscription));
        }
    }

    /// <summary>True when the topic belongs to a route and its handler was given a copy of the payload.</summary>
    public bool TryDeliver(string topic, ReadOnlyMemory<byte> payload)
    {
        if (!_subscriptions.TryGetValue(topic, out var subscription))
        {
            return false;
        }

        try
        {
            subscription.OnMessage(topic, payload.ToArray());
        }
#pragma warning disable CA1031 // A faulty peer handler must not take the receive loop, and with it the link, down.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            FleetLinkLog.DirectHandlerFailed(_logger, topic, ex);
        }

        return true;
    }

    // QoS 0 routes are no-local (the device does not hear itself); a QoS 1 route keeps its messages in the device's
    // broker session while it is offline.
    private static MqttTopicFilter Filter(string topic, DirectSubscription subscription) =>
        subscription.AtLeastOnce
            ? new MqttTopicFilterBuilder().WithTopic(topic).WithAtLeastOnceQoS().Build()
            : new MqttTopicFilterBuilder().WithTopic(topic).WithAtMostOnceQoS().WithNoLocal(true).Build();

    private sealed record DirectSubscription(Action<string, ReadOnlyMemory<byte>> OnMessage, bool AtLeastOnce);
}
