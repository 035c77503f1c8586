using System.Globalization;
using System.Text.Json;
using StepAudio.Engine.Link.Tools;
using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Engine.Tools;

/// <summary>A tool call finished.</summary>
/// <param name="Tool">The tool's name.</param>
/// <param name="CallId">The model's id for the call.</param>
/// <param name="Ok">Whether it succeeded.</param>
/// <param name="Ms">How long it took.</param>
public sealed record ToolCallFinished(double AtMs, string Tool, string CallId, bool Ok, double Ms) : PipelineEvent(AtMs)
{
    public override string Type => ToolEventTypes.ToolCall;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteString("tool", Tool);
        json.WriteString("call_id", CallId);
        json.WriteBoolean("ok", Ok);
        json.WriteNumber("ms", Ms);
    }
}

/// <summary>A timer rang.</summary>
public sealed record TimerRang(double AtMs, string Id, string Label) : PipelineEvent(AtMs)
{
    public override string Type => ToolEventTypes.TimerRang;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteString("id", Id);
        json.WriteString("label", Label);
    }
}

/// <summary>A timer fell due while the device was off and was dropped.</summary>
/// <param name="DueAt">When it was due; written as a round-trip ("O") timestamp.</param>
public sealed record TimerMissed(double AtMs, string Id, string Label, DateTimeOffset DueAt) : PipelineEvent(AtMs)
{
    public override string Type => ToolEventTypes.TimerMissed;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteString("id", Id);
        json.WriteString("label", Label);
        json.WriteString("due_at", DueAt.ToString("O", CultureInfo.InvariantCulture));
    }
}

/// <summary>A ringing timer stopped.</summary>
/// <param name="Reason">What stopped it (wake_word, mute, button, limit...).</param>
public sealed record TimerRingingStopped(double AtMs, string Reason) : PipelineEvent(AtMs)
{
    public override string Type => ToolEventTypes.RingingStopped;

    protected override void WriteFields(Utf8JsonWriter json) => json.WriteString("reason", Reason);
}
