namespace StepAudio.Ops.Fleet.Routes;

/// <summary>
/// A received QoS 1 message, copied out of the client's buffers, with its pending acknowledgement: a route
/// acknowledges once the message is safe (persisted, or its handler holds a slot), so a crash before that
/// means redelivery rather than loss.
/// </summary>
internal sealed record InboundMessage(string Topic, byte[] Payload, string? ResponseTopic, byte[]? CorrelationData, Func<CancellationToken, Task> Acknowledge)
{
    public Task AcknowledgeAsync(CancellationToken cancellationToken) => Acknowledge(cancellationToken);
}
