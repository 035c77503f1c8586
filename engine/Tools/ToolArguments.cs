using System.Text.Json;

namespace StepAudio.Engine.Tools;

/// <summary>Reads typed fields out of a call's argument object, with errors that name the tool and the field.</summary>
internal static class ToolArguments
{
    public static bool TryGetString(JsonElement arguments, string tool, string field, out string value)
    {
        value = string.Empty;
        if (!arguments.TryGetProperty(field, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            throw new ToolArgumentException($"{tool}: '{field}' must be a string, got {element.ValueKind}.");
        }

        value = element.GetString()!.Trim();
        return value.Length > 0;
    }

    /// <summary>A whole number in [min, max]; models often send numbers as strings, so "300" is accepted too.</summary>
    public static bool TryGetInteger(JsonElement arguments, string tool, string field, long min, long max, out long value)
    {
        value = 0;
        if (!arguments.TryGetProperty(field, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        bool parsed = element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetInt64(out value) || (element.TryGetDouble(out double d) && TryRound(d, out value)),
            JsonValueKind.String => long.TryParse(element.GetString(), out value),
            _ => false,
        };
        if (!parsed)
        {
            throw new ToolArgumentException($"{tool}: '{field}' must be a whole number, got {element.GetRawText()}.");
        }

        if (value < min || value > max)
        {
            throw new ToolArgumentException($"{tool}: '{field}' must be between {min} and {max}, got {value}.");
        }

        return true;
    }

    private static bool TryRound(double d, out long value)
    {
        value = (long)Math.Round(d);
        return double.IsFinite(d) && Math.Abs(d) < long.MaxValue;
    }
}
