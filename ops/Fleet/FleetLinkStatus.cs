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
    long Connects,
    int OutboxCount,
    long OutboxDropped,
    long MessagesRefused,
    long TelemetrySent,
    long TelemetryDropped,
    long ConfigVersion);
