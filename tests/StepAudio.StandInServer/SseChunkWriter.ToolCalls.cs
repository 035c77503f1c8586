using System.Buffers;
using System.Text.Json;

namespace StepAudio.StandInServer;

internal sealed partial class SseChunkWriter
{
    /// <summary>
    /// One <c>delta.tool_calls</c> fragment, as vLLM streams them: the first carries id, type and
    /// name, the following ones only pieces of the arguments.
    /// </summary>
    public void WriteToolCall(int index, string? id, string? name, string arguments)
    {
        _pipe.Write("data: "u8);
        using (var json = new Utf8JsonWriter(_pipe, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("id", _id);
            json.WriteString("object", "chat.completion.chunk");
            json.WriteNumber("created", _created);
            json.WriteString("model", _model);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("delta");
            json.WriteStartArray("tool_calls");
            json.WriteStartObject();
            json.WriteNumber("index", index);
            if (id is not null)
            {
                json.WriteString("id", id);
                json.WriteString("type", "function");
            }

            json.WriteStartObject("function");
            if (name is not null)
            {
                json.WriteString("name", name);
            }

            json.WriteString("arguments", arguments);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteNull("logprobs");
            json.WriteNull("finish_reason");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        _pipe.Write("\n\n"u8);
    }
}
