using System.Text.Json;

namespace StepAudio.Engine.Pipeline.Events;

/// <summary>A wake word started a turn.</summary>
/// <param name="Keyword">The wake word's head.</param>
/// <param name="Score">Its score, to four places.</param>
/// <param name="SignalToNoiseDb">The wake phrase's level over the room's noise floor.</param>
public sealed record WakeDetected(double AtMs, int Turn, string? Keyword, double Score, double SignalToNoiseDb) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.Wake;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteString("keyword", Keyword);
        json.WriteNumber("score", Score);
        json.WriteNumber("turn", Turn);
        json.WriteNumber("snr_db", SignalToNoiseDb);
    }
}

/// <summary>The user started talking.</summary>
public sealed record SpeechStarted(double AtMs, int Turn) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.SpeechStart;

    protected override void WriteFields(Utf8JsonWriter json) => json.WriteNumber("turn", Turn);
}

/// <summary>The user paused (a speculative request may start).</summary>
public sealed record SpeechPaused(double AtMs, int Turn) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.Pause;

    protected override void WriteFields(Utf8JsonWriter json) => json.WriteNumber("turn", Turn);
}

/// <summary>The turn is over.</summary>
/// <param name="Reason">Why: silence or maximum length.</param>
public sealed record EndOfTurnDetected(double AtMs, int Turn, string? Reason) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.EndOfTurn;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteString("reason", Reason);
    }
}

/// <summary>Nobody spoke after the wake word.</summary>
public sealed record NoSpeechHeard(double AtMs, int Turn) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.NoSpeech;

    protected override void WriteFields(Utf8JsonWriter json) => json.WriteNumber("turn", Turn);
}

/// <summary>Another speaker in the home answers this wake: this one stays quiet.</summary>
public sealed record ArbitrationLost(double AtMs, int Turn) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.ArbitrationLost;

    protected override void WriteFields(Utf8JsonWriter json) => json.WriteNumber("turn", Turn);
}

/// <summary>The user talked over the reply (or said the wake word during it): playback stopped on that frame.</summary>
/// <param name="Trigger">The wake word, or <c>speech</c>.</param>
/// <param name="SpeechMs">How long the user had been talking over the reply.</param>
/// <param name="Score">The wake score (0 for speech), to four places.</param>
/// <param name="ReplyCancelled">Whether a reply was still playing.</param>
/// <param name="StopLatencyFrames">Frames between the decision and the stop.</param>
public sealed record BargedIn(double AtMs, int Turn, string? Trigger, int SpeechMs, double Score, bool ReplyCancelled, int StopLatencyFrames)
    : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.BargeIn;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteString("trigger", Trigger);
        json.WriteNumber("speech_ms", SpeechMs);
        json.WriteNumber("score", Score);
        json.WriteBoolean("reply_cancelled", ReplyCancelled);
        json.WriteNumber("stop_latency_frames", StopLatencyFrames);
    }
}

/// <summary>After a spoken reply the device listens without the wake word for a while.</summary>
/// <param name="WindowMs">How long it listens.</param>
/// <param name="Session">The conversation's session id.</param>
public sealed record FollowUpOpened(double AtMs, int Turn, double WindowMs, int Session) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.FollowUpOpen;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteNumber("window_ms", WindowMs);
        json.WriteNumber("session", Session);
    }
}

/// <summary>Speech in the follow-up window started a turn of the same conversation.</summary>
public sealed record FollowUpStarted(double AtMs, int Turn, int Session) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.FollowUpStart;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteNumber("session", Session);
    }
}

/// <summary>The follow-up window closed without speech: back to the wake word.</summary>
public sealed record FollowUpEnded(double AtMs, int Turn) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.FollowUpEnd;

    protected override void WriteFields(Utf8JsonWriter json) => json.WriteNumber("turn", Turn);
}
