using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Ops.Fleet;

namespace StepAudio.Appliance.Fleet;

/// <summary>Sends the pipeline's events to the fleet (QoS 1 through the link's outbox).</summary>
internal sealed class FleetEventSink(FleetLink link) : IPipelineEventSink
{
    public void OnEvent(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        // The same fields as events.jsonl, without the type (the link puts it in the envelope).
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            pipelineEvent.WriteProperties(json);
            json.WriteEndObject();
        }

        var data = JsonNode.Parse(buffer.WrittenSpan);

        // Enqueueing into the outbox completes at once; the link delivers when it is connected.
        _ = link.PublishEventAsync(pipelineEvent.Type, data).AsTask();
    }
}
