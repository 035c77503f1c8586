using System.Text.Json.Nodes;
using StepAudio.Engine.Pipeline;
using StepAudio.Ops.Fleet;

namespace StepAudio.Appliance.Fleet;

/// <summary>Sends the pipeline's events to the fleet (QoS 1 through the link's outbox).</summary>
internal sealed class FleetEventSink(FleetLink link) : IPipelineEventSink
{
    public void OnEvent(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        var data = new JsonObject { ["atMs"] = pipelineEvent.AtMs };
        if (pipelineEvent.Details is { } details)
        {
            foreach (var (key, value) in details)
            {
                data[key] = value is null ? null : JsonValue.Create(value);
            }
        }

        // Enqueueing into the outbox completes at once; the link delivers when it is connected.
        _ = link.PublishEventAsync(pipelineEvent.Type, data).AsTask();
    }
}
