using StepAudio.Engine.Pipeline;

namespace StepAudio.Appliance.Output;

/// <summary>Hands each event to several sinks, in order.</summary>
internal sealed class FanOutEventSink(params IPipelineEventSink[] sinks) : IPipelineEventSink
{
    private readonly List<PipelineEvent> _recorded = [];

    /// <summary>Every event seen, for the exit code and the timeline.</summary>
    public IReadOnlyList<PipelineEvent> Recorded
    {
        get
        {
            lock (_recorded)
            {
                return [.. _recorded];
            }
        }
    }

    public void OnEvent(PipelineEvent pipelineEvent)
    {
        lock (_recorded)
        {
            _recorded.Add(pipelineEvent);
        }

        foreach (var sink in sinks)
        {
            sink.OnEvent(pipelineEvent);
        }
    }
}
