using System.Text.Json;
using StepAudio.Engine.Link;
using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Tools.Timers;

/// <summary><c>set_timer</c>: starts a local timer.</summary>
public sealed class SetTimerTool(TimerService timers) : ITool
{
    private const string Name = "set_timer";

    /// <inheritdoc />
    public ToolDefinition Definition { get; } = new(
        Name,
        "Start a countdown timer on the speaker. It rings with a chime when it runs out, even without a network.",
        """
        {"type": "object",
         "properties": {
           "duration_seconds": {"type": "integer", "minimum": 1, "description": "How long the timer runs, in seconds."},
           "label": {"type": "string", "description": "What the timer is for, e.g. 'pasta'."}},
         "required": ["duration_seconds"]}
        """);

    /// <inheritdoc />
    public Task<ToolResult> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
    {
        if (!ToolArguments.TryGetInteger(arguments, Name, "duration_seconds", 1, (long)TimeSpan.FromDays(7).TotalSeconds, out long seconds))
        {
            throw new ToolArgumentException($"{Name}: 'duration_seconds' is required.");
        }

        ToolArguments.TryGetString(arguments, Name, "label", out string label);
        TimerEntry timer = timers.Set(TimeSpan.FromSeconds(seconds), label);
        string what = timer.Label.Length > 0 ? $"{timer.Label} timer" : "timer";
        return Task.FromResult(ToolResult.Success(
            new { id = timer.Id, label = timer.Label, duration_seconds = seconds, due_at = timer.DueAt.ToString("O") },
            $"Your {what} for {TimerWords.Duration(timer.Duration)} is set."));
    }
}

/// <summary><c>cancel_timer</c>: stops timers by id or label (or the only one).</summary>
public sealed class CancelTimerTool(TimerService timers) : ITool
{
    private const string Name = "cancel_timer";

    /// <inheritdoc />
    public ToolDefinition Definition { get; } = new(
        Name,
        "Cancel a running timer by its id or label. Without either, cancels the only running timer.",
        """
        {"type": "object",
         "properties": {
           "id": {"type": "string", "description": "The timer id from set_timer or list_timers."},
           "label": {"type": "string", "description": "The timer's label."}}}
        """);

    /// <inheritdoc />
    public Task<ToolResult> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
    {
        string key;
        if (!ToolArguments.TryGetString(arguments, Name, "id", out key) && !ToolArguments.TryGetString(arguments, Name, "label", out key))
        {
            IReadOnlyList<TimerEntry> running = timers.List();
            if (running.Count != 1)
            {
                throw new ToolArgumentException(
                    $"{Name}: give 'id' or 'label'; {running.Count} timers are running, so which one is not clear.");
            }

            key = running[0].Id;
        }

        IReadOnlyList<TimerEntry> cancelled = timers.Cancel(key);
        if (cancelled.Count == 0)
        {
            return Task.FromResult(ToolResult.Failure($"No running timer has the id or label '{key}'.", "I couldn't find that timer."));
        }

        var ids = new string[cancelled.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = cancelled[i].Id;
        }

        return Task.FromResult(ToolResult.Success(
            new { cancelled = ids },
            cancelled.Count == 1 ? "The timer is cancelled." : $"{cancelled.Count} timers are cancelled."));
    }
}

/// <summary><c>list_timers</c>: what is running and how long is left.</summary>
public sealed class ListTimersTool(TimerService timers) : ITool
{
    /// <inheritdoc />
    public ToolDefinition Definition { get; } = new(
        "list_timers",
        "List the running timers with the time left on each.",
        """{"type": "object", "properties": {}}""");

    /// <inheritdoc />
    public Task<ToolResult> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
    {
        IReadOnlyList<TimerEntry> running = timers.List();
        var items = new object[running.Count];
        for (int i = 0; i < running.Count; i++)
        {
            TimerEntry timer = running[i];
            items[i] = new { id = timer.Id, label = timer.Label, remaining_seconds = (long)Math.Ceiling(timers.Remaining(timer).TotalSeconds) };
        }

        string spoken = running.Count switch
        {
            0 => "No timers are running.",
            1 => $"One timer is running, with {TimerWords.Duration(timers.Remaining(running[0]))} left.",
            _ => $"{running.Count} timers are running; the next one ends in {TimerWords.Duration(timers.Remaining(running[0]))}.",
        };
        return Task.FromResult(ToolResult.Success(new { timers = items }, spoken));
    }
}

/// <summary>Durations the way they are said aloud.</summary>
internal static class TimerWords
{
    public static string Duration(TimeSpan duration)
    {
        long total = (long)Math.Ceiling(duration.TotalSeconds);
        long hours = total / 3600;
        long minutes = total % 3600 / 60;
        long seconds = total % 60;
        var parts = new List<string>(3);
        if (hours > 0)
        {
            parts.Add(Unit(hours, "hour"));
        }

        if (minutes > 0)
        {
            parts.Add(Unit(minutes, "minute"));
        }

        if (seconds > 0 || parts.Count == 0)
        {
            parts.Add(Unit(seconds, "second"));
        }

        return parts.Count == 1 ? parts[0] : string.Join(", ", parts[..^1]) + " and " + parts[^1];
    }

    private static string Unit(long value, string unit) => value == 1 ? $"1 {unit}" : $"{value} {unit}s";
}
