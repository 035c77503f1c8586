using System.Runtime.CompilerServices;

namespace StepAudio.Engine.Link;

public sealed partial class GpuServerClient
{
    /// <summary>
    /// Streams the chat model's answer as text deltas while offering it <paramref name="tools"/>
    /// (<c>tools</c> + <c>tool_choice</c>); the tool calls it makes are collected in
    /// <paramref name="toolCalls"/>, complete once the enumeration ends.
    /// </summary>
    /// <exception cref="GpuServerException">The request or the stream failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async IAsyncEnumerable<string> StreamChatAsync(
        IReadOnlyList<ChatMessage> messages,
        ChatToolSet tools,
        ToolChoice toolChoice,
        ToolCallAssembler toolCalls,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(toolCalls);
        if (messages.Count == 0)
        {
            throw new ArgumentException("A chat request needs at least one message.", nameof(messages));
        }

        ReadOnlyMemory<byte> body = GpuServerRequests.Chat(_options, messages, tools, toolChoice);
        await foreach (ReadOnlyMemory<char> delta in StreamTextAsync(_chatUri, body, "chat", cancellationToken, toolCalls))
        {
            yield return delta.ToString();
        }
    }
}
