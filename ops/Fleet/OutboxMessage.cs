namespace StepAudio.Ops.Fleet;

/// <summary>A QoS 1 message waiting in the <see cref="Outbox"/>: the payload is final bytes, never re-serialised.</summary>
public sealed record OutboxMessage(string Topic, ReadOnlyMemory<byte> Payload)
{
    public bool Retain { get; init; }

    /// <summary>MQTT 5 correlation data copied from a request, for command replies.</summary>
    public ReadOnlyMemory<byte> CorrelationData { get; init; }

    public string ContentType { get; init; } = "application/json";
}
