namespace StepAudio.Engine.Link.Tools;

/// <summary>One tool call the chat model asked for, assembled from its streamed fragments.</summary>
/// <param name="Id">The call id the result must name (<c>tool_call_id</c>).</param>
/// <param name="Name">The function name.</param>
/// <param name="Arguments">The arguments as the model wrote them: JSON text, not yet checked.</param>
public sealed record ToolCall(string Id, string Name, string Arguments);
