using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>
/// Keeps the pipeline's event types and completes <see cref="Signalled"/> on the first event of
/// the given types (or an error), so a test awaits a turn's outcome instead of sleeping.
/// </summary>
internal sealed class CollectingEventSink : IPipelineEventSink
{
    private readonly List<string> _types = [];
    private readonly string[] _signalOn;

    public CollectingEventSink(params string[] signalOn)
    {
        _signalOn = signalOn.Length > 0 ? signalOn : [PipelineEventTypes.TurnEnd];
    }

    public TaskCompletionSource Signalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<string> Types
    {
        get
        {
            lock (_types)
            {
                return [.. _types];
            }
        }
    }

    public void OnEvent(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        lock (_types)
        {
            _types.Add(pipelineEvent.Type);
        }

        if (pipelineEvent.Type == PipelineEventTypes.Error || Array.IndexOf(_signalOn, pipelineEvent.Type) >= 0)
        {
            Signalled.TrySetResult();
        }
    }
}
