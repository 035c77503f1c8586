using System.Diagnostics.Metrics;
using StepAudio.Engine.Pipeline;

namespace StepAudio.Engine.Tests.Pipeline;

public sealed class PipelineMetricsTests
{
    [Fact]
    public void OnEvent_WhenATurnRunsItsCourse_RecordsWakeSpeculationOutcomeAndStageLatencies()
    {
        using var metrics = new PipelineMetrics();
        var measured = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = Listen(metrics, measured);

        metrics.OnEvent(new PipelineEvent(PipelineEventTypes.Wake, 1000, new Dictionary<string, object?> { ["keyword"] = "hey_jarvis" }));
        metrics.OnEvent(new PipelineEvent(PipelineEventTypes.SpeculativeStart, 2000));
        metrics.OnEvent(new PipelineEvent(PipelineEventTypes.SpeculativeCancel, 2100));
        metrics.OnEvent(new PipelineEvent(PipelineEventTypes.SpeculativeStart, 2500));
        metrics.OnEvent(new PipelineEvent(PipelineEventTypes.SpeculativeCommit, 3000));
        metrics.OnEvent(new PipelineEvent(PipelineEventTypes.TurnEnd, 4000, new Dictionary<string, object?>
        {
            ["end_of_turn_to_tokens_ms"] = 3.5,
            ["end_of_turn_to_first_audio_out_ms"] = 800.0,
            ["device_added_ms"] = 15.0,
        }));

        Assert.Contains(measured, m => m.Instrument == "stepaudio.wake.detections" && (string?)m.Tags["keyword"] == "hey_jarvis");
        Assert.Equal(2, measured.Count(m => m.Instrument == "stepaudio.speculation" && (string?)m.Tags["outcome"] == "started"));
        Assert.Single(measured, m => m.Instrument == "stepaudio.speculation" && (string?)m.Tags["outcome"] == "committed");
        Assert.Single(measured, m => m.Instrument == "stepaudio.turns" && (string?)m.Tags["outcome"] == "completed");
        var stages = measured.Where(m => m.Instrument == "stepaudio.turn.stage_latency").ToDictionary(m => (string)m.Tags["stage"]!, m => m.Value);
        Assert.Equal(3.5, stages["tokens"]);
        Assert.Equal(800.0, stages["end_to_audio_out"]);
        Assert.Equal(15.0, stages["device_added"]);
        Assert.False(stages.ContainsKey("first_text"), "a stage the turn did not report is not invented");
    }

    [Fact]
    public void OnEvent_WhenTurnFailsOrIsCancelled_CountsTheOutcomeAndTheError()
    {
        using var metrics = new PipelineMetrics();
        var measured = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = Listen(metrics, measured);

        metrics.OnEvent(new PipelineEvent(PipelineEventTypes.Error, 1, new Dictionary<string, object?> { ["stage"] = "server", ["kind"] = "Unreachable" }));
        metrics.OnEvent(new PipelineEvent(PipelineEventTypes.TurnEnd, 2, new Dictionary<string, object?> { ["cancelled"] = true }));

        Assert.Single(measured, m => m.Instrument == "stepaudio.errors" && (string?)m.Tags["kind"] == "Unreachable");
        Assert.Single(measured, m => m.Instrument == "stepaudio.turns" && (string?)m.Tags["outcome"] == "failed");
        Assert.Single(measured, m => m.Instrument == "stepaudio.turns" && (string?)m.Tags["outcome"] == "cancelled");
        Assert.DoesNotContain(measured, m => m.Instrument == "stepaudio.turn.stage_latency");
    }

    private static MeterListener Listen(PipelineMetrics metrics, List<(string, double, Dictionary<string, object?>)> measured)
    {
        _ = metrics;
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PipelineMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measured.Add((instrument.Name, value, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measured.Add((instrument.Name, value, ToDictionary(tags))));
        listener.Start();
        return listener;
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
