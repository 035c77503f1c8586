using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Tools;

/// <summary>Pipeline event names (the <c>type</c> of events.jsonl) the tools add to the timeline.</summary>
public static class ToolEventTypes
{
    /// <summary>A tool call finished (fields: tool, call_id, ok, ms).</summary>
    public const string ToolCall = "tool_call";

    /// <summary>A timer rang (fields: id, label).</summary>
    public const string TimerRang = "timer_rang";

    /// <summary>A timer fell due while the device was off and was dropped (fields: id, label, due_at).</summary>
    public const string TimerMissed = "timer_missed";

    /// <summary>Ringing stopped (fields: reason).</summary>
    public const string RingingStopped = "timer_ringing_stopped";
}
