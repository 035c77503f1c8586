using System.Text.Json;

namespace StepAudio.Engine.Link;

internal static partial class GpuServerRequests
{
    /// <summary>A message with its tool parts: an assistant turn's <c>tool_calls</c>, a tool turn's <c>tool_call_id</c>.</summary>
    private static void WriteMessage(Utf8JsonWriter json, ChatMessage message)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, ChatMessage.ToWireRole(message.Role));
        json.WriteString("content"u8, message.Content);
        if (message.ToolCallId is { } toolCallId)
        {
            json.WriteString("tool_call_id"u8, toolCallId);
        }

        if (message.ToolCalls is { Count: > 0 } calls)
        {
            json.WriteStartArray("tool_calls"u8);
            foreach (ToolCall call in calls)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, call.Id);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, call.Name);
                // OpenAI's format carries the arguments as a JSON string, exactly as the model wrote them.
                json.WriteString("arguments"u8, call.Arguments);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter json, ChatToolSet? tools, ToolChoice toolChoice)
    {
        if (tools is null)
        {
            return;
        }

        json.WritePropertyName("tools"u8);
        json.WriteRawValue(tools.Json, skipInputValidation: true);
        json.WriteString("tool_choice"u8, toolChoice == ToolChoice.None ? "none"u8 : "auto"u8);
    }
}
