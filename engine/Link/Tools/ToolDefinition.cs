using System.Text.Json;

namespace StepAudio.Engine.Link.Tools;

/// <summary>
/// A function the chat model may call, in the OpenAI tools format vLLM accepts:
/// <c>{"type": "function", "function": {"name", "description", "parameters"}}</c>.
/// </summary>
public sealed record ToolDefinition
{
    /// <param name="name">The function name the model calls (letters, digits, '_' and '-', at most 64).</param>
    /// <param name="description">What the tool does, for the model.</param>
    /// <param name="parametersSchema">A JSON schema object describing the arguments.</param>
    /// <exception cref="ArgumentException">The name is not usable or the schema is not a JSON object.</exception>
    public ToolDefinition(string name, string description, string parametersSchema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(parametersSchema);
        if (name.Length > 64 || !IsValidName(name))
        {
            throw new ArgumentException($"Tool name '{name}' must be 1 to 64 letters, digits, '_' or '-'.", nameof(name));
        }

        try
        {
            using var schema = JsonDocument.Parse(parametersSchema);
            if (schema.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"The parameters schema of tool '{name}' is not a JSON object.", nameof(parametersSchema));
            }
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The parameters schema of tool '{name}' is not valid JSON: {ex.Message}", nameof(parametersSchema), ex);
        }

        Name = name;
        Description = description;
        ParametersSchema = parametersSchema;
    }

    /// <summary>The function name.</summary>
    public string Name { get; }

    /// <summary>What the tool does.</summary>
    public string Description { get; }

    /// <summary>The JSON schema of the arguments, as text.</summary>
    public string ParametersSchema { get; }

    private static bool IsValidName(string name)
    {
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
