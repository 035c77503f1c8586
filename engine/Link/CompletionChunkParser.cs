using System.Text;
using System.Text.Json;
using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Link;

/// <summary>Reads vLLM's chunk JSON with <see cref="Utf8JsonReader"/>: only choice 0 is looked at, the rest is skipped.</summary>
internal static class CompletionChunkParser
{
    private const int PayloadShownInErrors = 200;

    public static void Parse(ReadOnlySpan<byte> json, CompletionChunk chunk)
    {
        chunk.Clear();
        string? errorMessage = null;
        int? errorCode = null;
        bool objectIsError = false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Malformed("a chunk must be a JSON object", json);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    ReadChoices(ref reader, chunk, json);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    // Newer vLLM: {"error": {"message": ..., "code": ...}} inside the stream.
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        ReadError(ref reader, ref errorMessage, ref errorCode);
                    }
                    else
                    {
                        errorMessage = reader.TokenType == JsonTokenType.String ? reader.GetString() : "unspecified error";
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("object"u8))
                {
                    reader.Read();
                    objectIsError = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8);
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    // Older vLLM: {"object": "error", "message": ..., "code": ...} as the chunk itself.
                    reader.Read();
                    errorMessage ??= reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("code"u8))
                {
                    reader.Read();
                    errorCode ??= reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int code) ? code : null;
                    reader.Skip();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            throw Malformed($"invalid JSON ({ex.Message})", json, ex);
        }

        if (errorMessage is not null && (objectIsError || !chunk.HasChoice))
        {
            throw new GpuServerException(GpuServerErrorKind.HttpError,
                $"The GPU server reported an error inside the stream: {errorMessage}", errorCode);
        }
    }

    private static void ReadChoices(ref Utf8JsonReader reader, CompletionChunk chunk, ReadOnlySpan<byte> json)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Malformed("'choices' is not an array", json);
        }

        bool first = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!first || reader.TokenType != JsonTokenType.StartObject)
            {
                // Only n=1 is requested; other choices (or junk) are not ours to interpret.
                if (first)
                {
                    throw Malformed("'choices[0]' is not an object", json);
                }

                reader.Skip();
                continue;
            }

            first = false;
            chunk.HasChoice = true;
            ReadChoice(ref reader, chunk, json);
        }
    }

    private static void ReadChoice(ref Utf8JsonReader reader, CompletionChunk chunk, ReadOnlySpan<byte> json)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                ReadText(ref reader, chunk, json, "choices[0].text");
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Malformed("'choices[0].delta' is not an object", json);
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("content"u8))
                    {
                        reader.Read();
                        ReadText(ref reader, chunk, json, "choices[0].delta.content");
                    }
                    else if (reader.ValueTextEquals("tool_calls"u8))
                    {
                        reader.Read();
                        ToolCallDeltaParser.Read(ref reader, chunk, json);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                chunk.FinishReason = reader.TokenType switch
                {
                    JsonTokenType.Null => null,
                    JsonTokenType.String when reader.ValueTextEquals("stop"u8) => "stop",
                    JsonTokenType.String when reader.ValueTextEquals("length"u8) => "length",
                    JsonTokenType.String when reader.ValueTextEquals("tool_calls"u8) => "tool_calls",
                    JsonTokenType.String => reader.GetString(),
                    _ => throw Malformed("'choices[0].finish_reason' is neither a string nor null", json),
                };
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadText(ref Utf8JsonReader reader, CompletionChunk chunk, ReadOnlySpan<byte> json, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw Malformed($"'{field}' is not a string", json);
        }

        // Unescaped UTF-16 never needs more chars than the escaped UTF-8 has bytes.
        Span<char> buffer = chunk.GetTextBuffer(reader.ValueSpan.Length);
        chunk.SetTextLength(reader.CopyString(buffer));
    }

    private static void ReadError(ref Utf8JsonReader reader, ref string? message, ref int? code)
    {
        message ??= "unspecified error";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString() : message;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                code = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value) ? value : code;
                reader.Skip();
            }
            else
            {
                reader.Skip();
            }
        }
    }

    internal static GpuServerException Malformed(string what, ReadOnlySpan<byte> json, Exception? inner = null)
    {
        string shown = Encoding.UTF8.GetString(json[..Math.Min(json.Length, PayloadShownInErrors)]);
        string ellipsis = json.Length > PayloadShownInErrors ? "..." : string.Empty;
        return new GpuServerException(GpuServerErrorKind.MalformedStream,
            $"The GPU server sent a malformed stream chunk: {what}. Payload: {shown}{ellipsis}", null, inner);
    }
}
