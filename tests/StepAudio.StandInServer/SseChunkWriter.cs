using System.Buffers;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace StepAudio.StandInServer;

/// <summary>Writes vLLM's streaming chunks (<c>data: {json}\n\n</c>) straight into the response pipe.</summary>
internal sealed partial class SseChunkWriter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly PipeWriter _pipe;
    private readonly bool _chat;
    private readonly string _id;
    private readonly string _model;
    private readonly long _created;

    public SseChunkWriter(PipeWriter pipe, bool chat, string model)
    {
        _pipe = pipe;
        _chat = chat;
        _model = model;
        _id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    /// <summary>The chat stream opens with a role-only delta, as vLLM's does.</summary>
    public void WriteStart()
    {
        if (_chat)
        {
            WriteChunk(role: "assistant", text: string.Empty, finishReason: null);
        }
    }

    public void WriteText(string text) => WriteChunk(role: null, text, finishReason: null);

    public void WriteFinish(string finishReason) => WriteChunk(role: null, text: null, finishReason);

    public void WriteDone() => _pipe.Write("data: [DONE]\n\n"u8);

    /// <summary>An SSE comment line: clients ignore it; writing it is how a closed connection is noticed while waiting.</summary>
    public void WriteKeepAlive() => _pipe.Write(": waiting\n\n"u8);

    private void WriteChunk(string? role, string? text, string? finishReason)
    {
        _pipe.Write("data: "u8);
        using (var json = new Utf8JsonWriter(_pipe, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("id", _id);
            json.WriteString("object", _chat ? "chat.completion.chunk" : "text_completion");
            json.WriteNumber("created", _created);
            json.WriteString("model", _model);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            if (_chat)
            {
                json.WriteStartObject("delta");
                if (role is not null)
                {
                    json.WriteString("role", role);
                }

                if (text is not null)
                {
                    json.WriteString("content", text);
                }

                json.WriteEndObject();
            }
            else
            {
                json.WriteString("text", text ?? string.Empty);
            }

            json.WriteNull("logprobs");
            WriteStringOrNull(json, "finish_reason", finishReason);
            if (!_chat)
            {
                // vLLM names the stop token id that ended generation; 3 is the TTS model's <|EOT|>.
                if (finishReason == "stop")
                {
                    json.WriteNumber("stop_reason", 3);
                }
                else
                {
                    json.WriteNull("stop_reason");
                }
            }

            json.WriteEndObject();
            json.WriteEndArray();
            if (!_chat)
            {
                json.WriteNull("usage");
            }

            json.WriteEndObject();
        }

        _pipe.Write("\n\n"u8);
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
