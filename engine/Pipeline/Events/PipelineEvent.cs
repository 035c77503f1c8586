using System.Text.Json;

namespace StepAudio.Engine.Pipeline.Events;

/// <summary>
/// One step of a turn, or of the tools beside it. <see cref="AtMs"/> is the position in the input
/// audio when it happened; once the input stops advancing (a file fed as fast as possible waits for
/// the reply), wall-clock time since the last input frame is added, so latencies after the end of
/// the turn are real. Each event writes its own fields, in the order events.jsonl documents them,
/// so nothing is boxed or looked up by name on the way out.
/// </summary>
public abstract record PipelineEvent
{
    /// <param name="atMs">When, in ms of input audio; kept to a tenth of a millisecond.</param>
    protected PipelineEvent(double atMs) => AtMs = Math.Round(atMs, 1);

    /// <summary>When, in ms of input audio (0.1 ms resolution).</summary>
    public double AtMs { get; }

    /// <summary>The <c>type</c> of its events.jsonl line: one of <see cref="PipelineEventTypes"/> or the tools' names.</summary>
    public abstract string Type { get; }

    /// <summary>Writes the event as one JSON object: <c>{"type":..,"atMs":..,...fields}</c>.</summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("type", Type);
        WriteProperties(json);
        json.WriteEndObject();
    }

    /// <summary>Writes <c>atMs</c> and the event's own fields into the object <paramref name="json"/> has open.</summary>
    public void WriteProperties(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteNumber("atMs", AtMs);
        WriteFields(json);
    }

    /// <summary>The event's own fields, after <c>atMs</c>.</summary>
    protected abstract void WriteFields(Utf8JsonWriter json);
}

/// <summary>An event that belongs to a turn (the <c>turn</c> field).</summary>
public abstract record TurnEvent : PipelineEvent
{
    protected TurnEvent(double atMs, int turn)
        : base(atMs) => Turn = turn;

    /// <summary>The coordinator's turn id.</summary>
    public int Turn { get; }
}

/// <summary>Receives the pipeline's events (the events.jsonl writer, the LED ring, telemetry).</summary>
public interface IPipelineEventSink
{
    /// <summary>Called in order; must not block for long.</summary>
    void OnEvent(PipelineEvent pipelineEvent);
}
