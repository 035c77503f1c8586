using System.Globalization;
using System.Text.Json;
using StepAudio.Engine.Storage;
using StepAudio.Engine.Tools.State;

namespace StepAudio.Engine.Tools.Timers;

/// <summary>
/// The running timers in <c>timers.json</c>:
/// <c>{"timers": [{"id", "label", "due_at" (ISO 8601 UTC), "duration_seconds"}]}</c>, replaced atomically.
/// </summary>
public sealed class TimerStore
{
    private readonly ToolStateFile _file;

    public TimerStore(string stateDirectory, IAtomicFileWriter writer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        _file = new ToolStateFile(System.IO.Path.Combine(stateDirectory, "timers.json"), writer);
    }

    /// <summary>The file.</summary>
    public string Path => _file.Path;

    /// <summary>The stored timers; empty when there is no file.</summary>
    /// <exception cref="ToolStateException">The file exists but is not a timer document.</exception>
    public List<TimerEntry> Load()
    {
        byte[]? bytes = _file.Read();
        var timers = new List<TimerEntry>();
        if (bytes is null)
        {
            return timers;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (!document.RootElement.TryGetProperty("timers", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new ToolStateException($"{Path}: the document has no 'timers' array.");
            }

            int i = 0;
            foreach (JsonElement item in list.EnumerateArray())
            {
                timers.Add(Read(item, i++));
            }
        }
        catch (JsonException ex)
        {
            throw new ToolStateException($"{Path}: not valid JSON ({ex.Message}).", ex);
        }

        return timers;
    }

    /// <summary>Replaces the stored timers.</summary>
    public void Save(IReadOnlyCollection<TimerEntry> timers)
    {
        ArgumentNullException.ThrowIfNull(timers);
        _file.Write(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("timers");
            foreach (TimerEntry timer in timers)
            {
                json.WriteStartObject();
                json.WriteString("id", timer.Id);
                json.WriteString("label", timer.Label);
                json.WriteString("due_at", timer.DueAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                json.WriteNumber("duration_seconds", timer.Duration.TotalSeconds);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private TimerEntry Read(JsonElement item, int index)
    {
        if (item.ValueKind != JsonValueKind.Object
            || !item.TryGetProperty("id", out JsonElement id) || id.ValueKind != JsonValueKind.String
            || !item.TryGetProperty("due_at", out JsonElement due) || !due.TryGetDateTimeOffset(out DateTimeOffset dueAt))
        {
            throw new ToolStateException($"{Path}: timers[{index}] needs a string 'id' and an ISO 8601 'due_at'.");
        }

        string label = item.TryGetProperty("label", out JsonElement l) && l.ValueKind == JsonValueKind.String ? l.GetString()! : string.Empty;
        double seconds = item.TryGetProperty("duration_seconds", out JsonElement d) && d.TryGetDouble(out double s) ? s : 0;
        return new TimerEntry(id.GetString()!, label, dueAt.ToUniversalTime(), TimeSpan.FromSeconds(seconds));
    }
}
