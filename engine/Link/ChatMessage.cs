using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Link;

/// <summary>
/// One chat turn. Roles use Step-Audio's names (<see cref="System"/>, <see cref="Human"/>,
/// <see cref="Assistant"/>); the client maps them to OpenAI's system/user/assistant on the wire.
/// </summary>
/// <param name="Role">One of <see cref="System"/>, <see cref="Human"/>, <see cref="Assistant"/>.</param>
/// <param name="Content">Text, or the user's audio as a token string (<c>&lt;audio_N&gt;...</c>).</param>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>The system turn.</summary>
    public const string System = "system";

    /// <summary>The user's turn.</summary>
    public const string Human = "human";

    /// <summary>The model's turn.</summary>
    public const string Assistant = "assistant";

    /// <summary>The OpenAI role name for a Step-Audio role.</summary>
    /// <exception cref="ArgumentException">The role is not one of the three.</exception>
    public static string ToWireRole(string role) => role switch
    {
        System => "system",
        Human => "user",
        Assistant => "assistant",
        Tool => "tool",
        _ => throw new ArgumentException(
            $"Chat message role '{role}' is not one of '{System}', '{Human}', '{Assistant}', '{Tool}'.", nameof(role)),
    };

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
