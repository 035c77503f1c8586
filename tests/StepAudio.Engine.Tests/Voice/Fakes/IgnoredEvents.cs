using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Engine.Tests.Voice.Fakes;

/// <summary>Drops pipeline events: these tests look at the requests and vocoder sessions.</summary>
internal sealed class IgnoredEvents : IPipelineEventSink
{
    public void OnEvent(PipelineEvent pipelineEvent)
    {
    }
}
