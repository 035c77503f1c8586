using System.Buffers;
using System.Text.Json;

namespace StepAudio.Engine.Link.Tools;

/// <summary>
/// The <c>tools</c> array of a chat request, rendered once: every request of a turn (and every
/// speculative one) sends the same bytes, so the server's prefix cache sees the same prompt.
/// </summary>
public sealed class ChatToolSet
{
    private readonly byte[] _json;

    /// <exception cref="ArgumentException">No tools, or two with the same name.</exception>
    public ChatToolSet(IReadOnlyList<ToolDefinition> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        if (tools.Count == 0)
        {
            throw new ArgumentException("A tool set needs at least one tool.", nameof(tools));
        }

        var names = new List<string>(tools.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (ToolDefinition tool in tools)
            {
                ArgumentNullException.ThrowIfNull(tool, nameof(tools));
                if (!seen.Add(tool.Name))
                {
                    throw new ArgumentException($"Tool '{tool.Name}' is defined twice.", nameof(tools));
                }

                names.Add(tool.Name);
                json.WriteStartObject();
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, tool.Name);
                json.WriteString("description"u8, tool.Description);
                json.WritePropertyName("parameters"u8);
                json.WriteRawValue(tool.ParametersSchema, skipInputValidation: false);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        _json = buffer.WrittenSpan.ToArray();
        Names = names;
    }

    /// <summary>The tool names, in definition order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The rendered <c>tools</c> array.</summary>
    public ReadOnlySpan<byte> Json => _json;
}

/// <summary>The request's <c>tool_choice</c>.</summary>
public enum ToolChoice
{
    /// <summary><c>"auto"</c>: the model decides.</summary>
    Auto,

    /// <summary><c>"none"</c>: the model must answer in text (the last round of a turn).</summary>
    None,
}
