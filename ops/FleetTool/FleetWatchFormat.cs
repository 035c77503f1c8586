using System.Globalization;
using System.Text;
using System.Text.Json;

namespace StepAudio.FleetTool;

/// <summary>One readable line per event or telemetry message for <c>fleet watch</c>.</summary>
internal static class FleetWatchFormat
{
    /// <summary>
    /// <c>HH:mm:ss.fff device event type #seq {data}</c> or <c>HH:mm:ss.fff device telemetry stream name=value unit ...</c>;
    /// anything unreadable is shown raw rather than dropped.
    /// </summary>
    public static string Line(FleetMessage message, DateTimeOffset receivedAt)
    {
        var time = receivedAt.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var device = message.Level(2) ?? "?";
        var kind = message.Level(3);
        try
        {
            using var document = JsonDocument.Parse(message.Payload);
            var root = document.RootElement;
            if (kind == "events" && root.ValueKind == JsonValueKind.Object)
            {
                var type = root.TryGetProperty("type", out var t) ? t.ToString() : "?";
                var seq = root.TryGetProperty("seq", out var s) ? $" #{s}" : string.Empty;
                var data = root.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null ? " " + d.GetRawText() : string.Empty;
                return $"{time} {device} event {type}{seq}{data}";
            }

            if (kind == "telemetry" && root.ValueKind == JsonValueKind.Object && root.TryGetProperty("metrics", out var metrics) && metrics.ValueKind == JsonValueKind.Object)
            {
                var line = new StringBuilder($"{time} {device} telemetry {message.Level(4) ?? "?"}");
                foreach (var metric in metrics.EnumerateObject())
                {
                    line.Append(' ').Append(metric.Name).Append('=').Append(Headline(metric.Value));
                }

                return line.ToString();
            }
        }
        catch (JsonException)
        {
            // Shown raw below.
        }

        return $"{time} {device} {kind ?? message.Topic} {Encoding.UTF8.GetString(message.Payload)}";
    }

    /// <summary>The one number that says most about a metric: its value, its sum, or its mean over count samples.</summary>
    private static string Headline(JsonElement metric)
    {
        if (metric.ValueKind != JsonValueKind.Object)
        {
            return metric.GetRawText();
        }

        var unit = metric.TryGetProperty("unit", out var u) && u.ValueKind == JsonValueKind.String && u.GetString() is { Length: > 0 } text ? text : string.Empty;
        if (metric.TryGetProperty("value", out var value))
        {
            return value + unit;
        }

        if (metric.TryGetProperty("sum", out var sum) && !metric.TryGetProperty("mean", out _))
        {
            return sum + unit;
        }

        if (metric.TryGetProperty("mean", out var mean))
        {
            var count = metric.TryGetProperty("count", out var c) ? c.ToString() : "?";
            var p95 = metric.TryGetProperty("p95", out var p) ? $",p95={p}{unit}" : string.Empty;
            return $"{mean}{unit}(n={count}{p95})";
        }

        return metric.GetRawText();
    }
}
