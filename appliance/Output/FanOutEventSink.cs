using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Appliance.Output;

/// <summary>Hands each event to several sinks, in order; file mode also keeps them for the timeline.</summary>
internal sealed class FanOutEventSink(IEnumerable<IPipelineEventSink> sinks, bool keepHistory = false) : IPipelineEventSink
{
    private readonly List<PipelineEvent> _recorded = [];
    private readonly IPipelineEventSink[] _sinks = [.. sinks];

    public FanOutEventSink(params IPipelineEventSink[] sinks)
        : this(sinks, keepHistory: true)
    {
    }

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
        if (keepHistory)
        {
            lock (_recorded)
            {
                _recorded.Add(pipelineEvent);
            }
        }

        foreach (var sink in _sinks)
        {
            sink.OnEvent(pipelineEvent);
        }
    }
}
