using System.Diagnostics;
using System.Diagnostics.Metrics;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Pipeline.Listening;

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
            unit: "s",
            description: "Per-stage latency of each turn: end_of_turn->tokens, ->first_text, ->first_audio_token, first_audio_token->audio_out, end_of_turn->audio_out, device_added.");
        _meter.CreateObservableGauge("stepaudio.listening.frame_cost", ObserveFrameCost, unit: "s", description: "Mean CPU time of one 32 ms listening frame (wake word + VAD + tokenizer append) since the last reading.");
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
        switch (pipelineEvent)
        {
            case WakeDetected wake when _wakes.Enabled:
                _wakes.Add(1, new KeyValuePair<string, object?>("keyword", wake.Keyword));
                break;
            case SpeculationStarted:
                Count(_speculation, "started");
                break;
            case SpeculationCancelled:
                Count(_speculation, "cancelled");
                break;
            case SpeculationCommitted:
                Count(_speculation, "committed");
                break;
            case NoSpeechHeard:
                Count(_turns, "no_speech");
                break;
            case TurnFailed failed:
                Count(_turns, "failed");
                if (_errors.Enabled)
                {
                    _errors.Add(
                        1,
                        new KeyValuePair<string, object?>("stage", failed.StageName),
                        new KeyValuePair<string, object?>("kind", failed.Kind));
                }

                break;
            case TurnEnded { Reply: null }:
                Count(_turns, "cancelled");
                break;
            case TurnEnded { Reply: { } reply }:
                Count(_turns, "completed");
                RecordStages(reply.Latency);
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

    private static void Count(Counter<long> counter, string outcome)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private void RecordStages(TurnLatency latency)
    {
        if (!_stageLatency.Enabled)
        {
            return;
        }

        Stage(latency.EndOfTurnToTokensMs, "tokens");
        Stage(latency.EndOfTurnToFirstTextMs, "first_text");
        Stage(latency.EndOfTurnToFirstAudioTokenMs, "first_audio_token");
        Stage(latency.FirstAudioTokenToAudioOutMs, "audio_out");
        Stage(latency.EndOfTurnToFirstAudioOutMs, "end_to_audio_out");
        Stage(latency.DeviceAddedMs, "device_added");
    }

    // The events carry ms as events.jsonl documents them; the meter speaks seconds.
    private void Stage(double ms, string stage) =>
        _stageLatency.Record(ms / 1000.0, new KeyValuePair<string, object?>("stage", stage));

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
        return deltaFrames <= 0 ? 0 : (double)deltaTicks / Stopwatch.Frequency / deltaFrames;
    }
}
