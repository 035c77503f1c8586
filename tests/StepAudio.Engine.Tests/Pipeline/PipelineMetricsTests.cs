using System.Diagnostics.Metrics;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Engine.Tests.Pipeline;

public sealed class PipelineMetricsTests
{
    [Fact]
    public void OnEvent_WhenATurnRunsItsCourse_RecordsWakeSpeculationOutcomeAndStageLatencies()
    {
        using var meters = new TestMeterFactory();
        using var metrics = new PipelineMetrics(meters);
        var measured = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = Listen(meters, measured);

        metrics.OnEvent(new WakeDetected(1000, 1, "hey_jarvis", 0.9, 20));
        metrics.OnEvent(new SpeculationStarted(2000, 1, 10));
        metrics.OnEvent(new SpeculationCancelled(2100, 1));
        metrics.OnEvent(new SpeculationStarted(2500, 1, 20));
        metrics.OnEvent(new SpeculationCommitted(3000, 1, 20));
        metrics.OnEvent(new TurnEnded(4000, 1, new SpokenReply("Hello.", 1, 1.0, new TurnLatency(
            EndOfTurnToTokensMs: 3.5,
            EndOfTurnToFirstTextMs: 0,
            EndOfTurnToFirstAudioTokenMs: 200,
            FirstAudioTokenToAudioOutMs: 585,
            VocoderFirstChunkMs: 10,
            EndOfTurnToFirstAudioOutMs: 800,
            ServerWaitMs: 785,
            DeviceAddedMs: 15))));

        Assert.Contains(measured, m => m.Instrument == "stepaudio.wake.detections" && (string?)m.Tags["keyword"] == "hey_jarvis");
        Assert.Equal(2, measured.Count(m => m.Instrument == "stepaudio.speculation" && (string?)m.Tags["outcome"] == "started"));
        Assert.Single(measured, m => m.Instrument == "stepaudio.speculation" && (string?)m.Tags["outcome"] == "committed");
        Assert.Single(measured, m => m.Instrument == "stepaudio.turns" && (string?)m.Tags["outcome"] == "completed");
        var stages = measured.Where(m => m.Instrument == "stepaudio.turn.stage_latency").ToDictionary(m => (string)m.Tags["stage"]!, m => m.Value);
        Assert.Equal(0.0035, stages["tokens"], 9);
        Assert.Equal(0.0, stages["first_text"]);
        Assert.Equal(0.2, stages["first_audio_token"], 9);
        Assert.Equal(0.585, stages["audio_out"], 9);
        Assert.Equal(0.8, stages["end_to_audio_out"], 9);
        Assert.Equal(0.015, stages["device_added"], 9);
        Assert.Equal(6, stages.Count);
    }

    [Fact]
    public void OnEvent_WhenTurnFailsOrIsCancelled_CountsTheOutcomeAndTheError()
    {
        using var meters = new TestMeterFactory();
        using var metrics = new PipelineMetrics(meters);
        var measured = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = Listen(meters, measured);

        metrics.OnEvent(new TurnFailed(1, 1, TurnFailureStage.Server, "Unreachable", "refused"));
        metrics.OnEvent(new TurnEnded(2, 2, Reply: null));

        Assert.Single(measured, m => m.Instrument == "stepaudio.errors" && (string?)m.Tags["kind"] == "Unreachable" && (string?)m.Tags["stage"] == "server");
        Assert.Single(measured, m => m.Instrument == "stepaudio.turns" && (string?)m.Tags["outcome"] == "failed");
        Assert.Single(measured, m => m.Instrument == "stepaudio.turns" && (string?)m.Tags["outcome"] == "cancelled");
        Assert.DoesNotContain(measured, m => m.Instrument == "stepaudio.turn.stage_latency");
    }

    // Only this test's meter: a listener keyed on the meter's name would also hear every other test's pipeline, on
    // their threads.
    private static MeterListener Listen(TestMeterFactory meters, List<(string, double, Dictionary<string, object?>)> measured)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (meters.Owns(instrument.Meter))
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
