using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StepAudio.Engine.Pipeline;

/// <summary>
/// The engine's meter, <c>StepAudio.Engine</c>: wakes, turns and their outcome, speculation,
/// server errors, and per-stage latency histograms (where a fleet's latency goes, not one number),
/// all derived from the pipeline's events; plus the listening loop's cost per frame, observed
/// from counters the loop keeps, so the audio thread records nothing.
/// </summary>
public sealed class PipelineMetrics : IPipelineEventSink, IDisposable
{
    /// <summary>The meter's name; the fleet side reads every <c>StepAudio.*</c> meter.</summary>
    public const string MeterName = "StepAudio.Engine";

    private readonly Meter _meter;
    private readonly Counter<long> _wakes;
    private readonly Counter<long> _turns;
    private readonly Counter<long> _speculation;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _stageLatency;
    private readonly bool _ownsMeter;
    private ListeningLoop? _loop;
    private long _lastFrames;
    private long _lastBusyTicks;

    public PipelineMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _wakes = _meter.CreateCounter<long>("stepaudio.wake.detections", unit: "{wake}", description: "Wake words heard.");
        _turns = _meter.CreateCounter<long>("stepaudio.turns", unit: "{turn}", description: "Turns by outcome (completed, failed, cancelled, no_speech).");
        _speculation = _meter.CreateCounter<long>("stepaudio.speculation", unit: "{request}", description: "Speculative requests by outcome (started, cancelled, committed).");
        _errors = _meter.CreateCounter<long>("stepaudio.errors", unit: "{error}", description: "Turn errors by stage and kind.");
        _stageLatency = _meter.CreateHistogram<double>(
            "stepaudio.turn.stage_latency",
            unit: "ms",
            description: "Per-stage latency of each turn: end_of_turn->tokens, ->first_text, ->first_audio_token, first_audio_token->audio_out, end_of_turn->audio_out, device_added.");
        _meter.CreateObservableGauge("stepaudio.listening.frame_cost", ObserveFrameCost, unit: "us", description: "Mean CPU time of one 32 ms listening frame (wake word + VAD + tokenizer append) since the last reading.");
    }

    /// <summary>Starts observing a listening loop's frame cost.</summary>
    public void Observe(ListeningLoop loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        _loop = loop;
        _lastFrames = loop.FramesProcessed;
        _lastBusyTicks = loop.BusyTicks;
    }

    /// <inheritdoc />
    public void OnEvent(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        switch (pipelineEvent.Type)
        {
            case PipelineEventTypes.Wake:
                _wakes.Add(1, new KeyValuePair<string, object?>("keyword", Detail(pipelineEvent, "keyword")));
                break;
            case PipelineEventTypes.SpeculativeStart:
                _speculation.Add(1, new KeyValuePair<string, object?>("outcome", "started"));
                break;
            case PipelineEventTypes.SpeculativeCancel:
                _speculation.Add(1, new KeyValuePair<string, object?>("outcome", "cancelled"));
                break;
            case PipelineEventTypes.SpeculativeCommit:
                _speculation.Add(1, new KeyValuePair<string, object?>("outcome", "committed"));
                break;
            case PipelineEventTypes.NoSpeech:
                _turns.Add(1, new KeyValuePair<string, object?>("outcome", "no_speech"));
                break;
            case PipelineEventTypes.Error:
                _turns.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
                _errors.Add(
                    1,
                    new KeyValuePair<string, object?>("stage", Detail(pipelineEvent, "stage")),
                    new KeyValuePair<string, object?>("kind", Detail(pipelineEvent, "kind")));
                break;
            case PipelineEventTypes.TurnEnd:
                RecordTurnEnd(pipelineEvent);
                break;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private void RecordTurnEnd(PipelineEvent turnEnd)
    {
        if (turnEnd.Details is { } details && details.ContainsKey("cancelled"))
        {
            _turns.Add(1, new KeyValuePair<string, object?>("outcome", "cancelled"));
            return;
        }

        _turns.Add(1, new KeyValuePair<string, object?>("outcome", "completed"));
        Stage(turnEnd, "end_of_turn_to_tokens_ms", "tokens");
        Stage(turnEnd, "end_of_turn_to_first_text_ms", "first_text");
        Stage(turnEnd, "end_of_turn_to_first_audio_token_ms", "first_audio_token");
        Stage(turnEnd, "first_audio_token_to_audio_out_ms", "audio_out");
        Stage(turnEnd, "end_of_turn_to_first_audio_out_ms", "end_to_audio_out");
        Stage(turnEnd, "device_added_ms", "device_added");
    }

    private void Stage(PipelineEvent turnEnd, string key, string stage)
    {
        if (turnEnd.Details is { } details && details.TryGetValue(key, out var value) && value is double ms)
        {
            _stageLatency.Record(ms, new KeyValuePair<string, object?>("stage", stage));
        }
    }

    private static object? Detail(PipelineEvent pipelineEvent, string key) =>
        pipelineEvent.Details is { } details && details.TryGetValue(key, out var value) ? value : null;

    private double ObserveFrameCost()
    {
        var loop = _loop;
        if (loop is null)
        {
            return 0;
        }

        var frames = loop.FramesProcessed;
        var busy = loop.BusyTicks;
        var deltaFrames = frames - _lastFrames;
        var deltaTicks = busy - _lastBusyTicks;
        _lastFrames = frames;
        _lastBusyTicks = busy;
        return deltaFrames <= 0 ? 0 : deltaTicks * 1e6 / Stopwatch.Frequency / deltaFrames;
    }
}
