namespace StepAudio.Engine.Link;

public sealed partial record ChatMessage
{
    /// <summary>A tool's answer to one call (OpenAI role <c>tool</c>, with <see cref="ToolCallId"/>).</summary>
    public const string Tool = "tool";

    /// <summary>On an assistant turn: the tool calls the model asked for (sent back as <c>tool_calls</c>).</summary>
    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }

    /// <summary>On a <see cref="Tool"/> turn: the id of the call this answers.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>The assistant turn that asked for <paramref name="calls"/>, with whatever text it said before them.</summary>
    public static ChatMessage AssistantToolCalls(string content, IReadOnlyList<ToolCall> calls)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Count == 0)
        {
            throw new ArgumentException("An assistant tool-call turn needs at least one call.", nameof(calls));
        }

        return new ChatMessage(Assistant, content) { ToolCalls = calls };
    }

    /// <summary>The result of the call <paramref name="toolCallId"/>, as the model reads it.</summary>
    public static ChatMessage ToolResult(string toolCallId, string content)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolCallId);
        ArgumentNullException.ThrowIfNull(content);
        return new ChatMessage(Tool, content) { ToolCallId = toolCallId };
    }
}
