namespace StepAudio.Ops.Fleet;

/// <summary>Where the link's supervisor loop is.</summary>
public enum FleetConnectionState
{
    /// <summary><see cref="FleetLink.RunAsync"/> is not running.</summary>
    Stopped,

    /// <summary>An attempt is under way (TCP, TLS, MQTT CONNECT, subscriptions, "online").</summary>
    Connecting,

    /// <summary>Online: subscribed, "online" published, the outbox draining.</summary>
    Connected,

    /// <summary>Offline, waiting out the backoff before the next attempt; the device keeps running.</summary>
    Disconnected,
}

/// <summary>A consistent view of the link for diagnose and logs.</summary>
public sealed record FleetLinkStatus(
    FleetConnectionState State,
    string Broker,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? ConnectedSince,
    long Connects)
{
    /// <summary>QoS 1 messages waiting for the broker.</summary>
    public int OutboxCount { get; init; }

    /// <summary>Messages the full outbox dropped (oldest first).</summary>
    public long OutboxDropped { get; init; }

    /// <summary>Messages the broker refused, or that could not be sent at all.</summary>
    public long MessagesRefused { get; init; }

    public long TelemetrySent { get; init; }

    /// <summary>Telemetry snapshots over the budget, with a bad stream name, or lost to a broken connection.</summary>
    public long TelemetryDropped { get; init; }

    /// <summary>The desired configuration version in force.</summary>
    public long ConfigVersion { get; init; }
}
