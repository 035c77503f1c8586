using System.Text.Json;

namespace StepAudio.Engine.Link.Tools;

/// <summary>
/// Reads <c>delta.tool_calls</c>: <c>[{"index": 0, "id": "...", "type": "function", "function": {"name": "...", "arguments": "..."}}]</c>.
/// Strings are copied into the chunk's pooled slots, never into new strings.
/// </summary>
internal static class ToolCallDeltaParser
{
    /// <summary>The largest call index accepted; a model that numbers calls beyond it is sending junk.</summary>
    public const int MaxIndex = 63;

    public static void Read(ref Utf8JsonReader reader, CompletionChunk chunk, ReadOnlySpan<byte> json)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw CompletionChunkParser.Malformed("'choices[0].delta.tool_calls' is not an array", json);
        }

        int position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw CompletionChunkParser.Malformed($"'choices[0].delta.tool_calls[{position}]' is not an object", json);
            }

            ReadCall(ref reader, chunk.AddToolCallDelta(), position, json);
            position++;
        }
    }

    private static void ReadCall(ref Utf8JsonReader reader, ToolCallDelta delta, int position, ReadOnlySpan<byte> json)
    {
        bool hasIndex = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int index) || index < 0 || index > MaxIndex)
                {
                    throw CompletionChunkParser.Malformed(
                        $"'tool_calls[{position}].index' is not an integer in 0..{MaxIndex}", json);
                }

                delta.Index = index;
                hasIndex = true;
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                Copy(ref reader, delta, ToolCallDelta.Field.Id, position, json);
            }
            else if (reader.ValueTextEquals("function"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw CompletionChunkParser.Malformed($"'tool_calls[{position}].function' is not an object", json);
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("name"u8))
                    {
                        reader.Read();
                        Copy(ref reader, delta, ToolCallDelta.Field.Name, position, json);
                    }
                    else if (reader.ValueTextEquals("arguments"u8))
                    {
                        reader.Read();
                        Copy(ref reader, delta, ToolCallDelta.Field.Arguments, position, json);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (!hasIndex)
        {
            // OpenAI's own servers always send it; a single call without one is unambiguous.
            delta.Index = position;
        }
    }

    private static void Copy(ref Utf8JsonReader reader, ToolCallDelta delta, ToolCallDelta.Field field, int position, ReadOnlySpan<byte> json)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            string name = field switch
            {
                ToolCallDelta.Field.Id => "id",
                ToolCallDelta.Field.Name => "function.name",
                _ => "function.arguments",
            };
            throw CompletionChunkParser.Malformed($"'tool_calls[{position}].{name}' is not a string", json);
        }

        Span<char> buffer = delta.GetBuffer(field, reader.ValueSpan.Length);
        delta.SetLength(field, reader.CopyString(buffer));
    }
}
