using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tools;

namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>
/// The tools a turn's chat requests offer (none when built without any): a request streams its
/// text through them, and each call that finishes is reported as a <c>tool_call</c> event.
/// </summary>
internal sealed class TurnTools : IDisposable
{
    private readonly ToolConversation? _tools;
    private readonly IPipelineEventSink _events;
    private readonly AudioTimeline _timeline;

    public TurnTools(ToolConversation? tools, IPipelineEventSink events, AudioTimeline timeline)
    {
        _tools = tools;
        _events = events;
        _timeline = timeline;
        if (tools is not null)
        {
            tools.Runner.CallCompleted += OnCallCompleted;
        }
    }

    /// <summary>
    /// The reply text of a chat request; with tools, their calls run beside it once
    /// <paramref name="toolsAllowed"/> completes and their answers arrive as more text.
    /// </summary>
    public IAsyncEnumerable<string> StreamAsync(GpuServerClient client, IReadOnlyList<ChatMessage> messages, Task toolsAllowed, CancellationToken cancellationToken) =>
        _tools is null
            ? client.StreamChatAsync(messages, cancellationToken)
            : _tools.StreamAsync(client, messages, toolsAllowed, cancellationToken);

    public void Dispose()
    {
        if (_tools is not null)
        {
            _tools.Runner.CallCompleted -= OnCallCompleted;
        }
    }

    private void OnCallCompleted(object? sender, ToolCallCompletedEventArgs e) =>
        _events.OnEvent(new ToolCallFinished(_timeline.NowMs, e.Call.Name, e.Call.Id, e.Result.Succeeded, Math.Round(e.Milliseconds, 1)));
}
