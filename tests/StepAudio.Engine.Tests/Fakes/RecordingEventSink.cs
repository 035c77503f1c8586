using StepAudio.Engine.Pipeline;

namespace StepAudio.Engine.Tests.Fakes;

/// <summary>Keeps every pipeline event, thread-safely.</summary>
internal sealed class RecordingEventSink : IPipelineEventSink
{
    private readonly List<PipelineEvent> _events = [];

    public IReadOnlyList<PipelineEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public void OnEvent(PipelineEvent pipelineEvent)
    {
        lock (_events)
        {
            _events.Add(pipelineEvent);
        }
    }
}
