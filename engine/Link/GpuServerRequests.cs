using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Link;

/// <summary>The JSON bodies vLLM's OpenAI-compatible endpoints take.</summary>
internal static class GpuServerRequests
{
    // The uplink is mostly "<audio_N>" text: the default encoder would send each '<' and '>' as \u003C,
    // and Chinese text as \uXXXX. These bodies never end up in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ReadOnlyMemory<byte> Chat(GpuServerOptions options, IReadOnlyList<ChatMessage> messages, ChatToolSet? tools = null, ToolChoice toolChoice = ToolChoice.Auto)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("model"u8, options.ChatModel);
            json.WriteStartArray("messages"u8);
            bool hasSystem = messages.Count > 0 && messages[0].Role == ChatMessage.System;
            if (!hasSystem && !string.IsNullOrWhiteSpace(options.SystemPrompt))
            {
                WriteMessage(json, "system", options.SystemPrompt);
            }

            for (int i = 0; i < messages.Count; i++)
            {
                ChatMessage message = messages[i] ?? throw new ArgumentException($"Chat message {i} is null.", nameof(messages));
                WriteMessage(json, message);
            }

            json.WriteEndArray();
            WriteTools(json, tools, toolChoice);
            json.WriteBoolean("stream"u8, true);
            json.WriteNumber("temperature"u8, options.ChatTemperature);
            json.WriteNumber("top_p"u8, options.ChatTopP);
            json.WriteNumber("max_tokens"u8, options.ChatMaxTokens);
            json.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    public static ReadOnlyMemory<byte> Tts(GpuServerOptions options, IReadOnlyList<int> promptIds)
    {
        var buffer = new ArrayBufferWriter<byte>(promptIds.Count * 6 + 256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("model"u8, options.TtsModel);
            json.WriteStartArray("prompt"u8);
            for (int i = 0; i < promptIds.Count; i++)
            {
                json.WriteNumberValue(promptIds[i]);
            }

            json.WriteEndArray();
            json.WriteBoolean("stream"u8, true);
            json.WriteNumber("temperature"u8, options.TtsTemperature);
            json.WriteNumber("max_tokens"u8, options.TtsMaxTokens);
            // Audio tokens are special tokens: without this vLLM would strip them from the text.
            json.WriteBoolean("skip_special_tokens"u8, false);
            // The TTS model ends an utterance with <|EOT|> (id 3), whatever its generation config says.
            json.WriteStartArray("stop_token_ids"u8);
            json.WriteNumberValue(TtsPromptBuilder.EotId);
            json.WriteEndArray();
            if (options.TtsRepetitionGuard)
            {
                json.WriteStartObject("vllm_xargs"u8);
                json.WriteNumber("repetition_guard_window"u8, StepAudio.Engine.Tts.RepetitionGuard.Window);
                json.WriteNumber("repetition_guard_min_count"u8, StepAudio.Engine.Tts.RepetitionGuard.MinCount);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    public static ReadOnlyMemory<byte> Tokenize(string model, string text, bool addSpecialTokens)
    {
        var buffer = new ArrayBufferWriter<byte>(text.Length * 3 + 128);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("model"u8, model);
            json.WriteString("prompt"u8, text);
            json.WriteBoolean("add_special_tokens"u8, addSpecialTokens);
            json.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Reads <c>{"tokens": [...]}</c> from a /tokenize response.</summary>
    public static int[] ParseTokens(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("the response is not a JSON object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("tokens"u8))
            {
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("'tokens' is not an array");
            }

            var ids = new List<int>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int id))
                {
                    throw new JsonException($"'tokens[{ids.Count}]' is not an integer id");
                }

                ids.Add(id);
            }

            return ids.ToArray();
        }

        throw new JsonException("the response has no 'tokens' array");
    }

    private static void WriteMessage(Utf8JsonWriter json, string role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, role);
        json.WriteString("content"u8, content);
        json.WriteEndObject();
    }

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
