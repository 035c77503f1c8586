using StepAudio.Engine.Link;
using StepAudio.Engine.Tools;

namespace StepAudio.Engine.Pipeline;

internal sealed partial class ChatStream
{
    // Held for a speculative request: it may stream text, but it must not act (set a timer, change the
    // volume) until the turn commits it.
    private readonly TaskCompletionSource _toolsAllowed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// A chat request that offers <paramref name="tools"/> (when not null): the model's tool calls run
    /// beside the reply and their answers come back as more text on <see cref="Text"/>.
    /// </summary>
    /// <param name="holdTools">Tool calls wait for <see cref="ReleaseTools"/> (a speculative request).</param>
    public static ChatStream Start(GpuServerClient client, IReadOnlyList<ChatMessage> messages, AudioTimeline timeline,
        ToolConversation? tools, bool holdTools, CancellationToken cancellationToken) =>
        new(client, messages, timeline, tools, holdTools, cancellationToken);

    /// <summary>The request is committed: the tool calls it makes may run.</summary>
    public void ReleaseTools() => _toolsAllowed.TrySetResult();

    private IAsyncEnumerable<string> Deltas(GpuServerClient client, IReadOnlyList<ChatMessage> messages, ToolConversation? tools, CancellationToken cancellationToken) =>
        tools is null
            ? client.StreamChatAsync(messages, cancellationToken)
            : tools.StreamAsync(client, messages, _toolsAllowed.Task, cancellationToken);
}
