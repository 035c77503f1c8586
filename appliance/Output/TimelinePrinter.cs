using System.Globalization;
using System.Text;
using StepAudio.Engine.Pipeline;

namespace StepAudio.Appliance.Output;

/// <summary>Renders a run's events as a readable timeline with the turn's latency breakdown.</summary>
internal static class TimelinePrinter
{
    public static string Render(IReadOnlyList<PipelineEvent> events)
    {
        var text = new StringBuilder();
        text.AppendLine("Timeline (ms of input audio; after the end of a turn the clock is wall time)");
        // Events are written as they happen; a committed speculation's first text may predate the
        // end of the turn, so the timeline is shown in time order.
        foreach (var e in events.OrderBy(e => e.AtMs))
        {
            text.Append(CultureInfo.InvariantCulture, $"  {e.AtMs,9:F1}  {e.Type,-20}");
            text.AppendLine(Summary(e));
        }

        foreach (var end in events.Where(e => e.Type == PipelineEventTypes.TurnEnd && e.Details?.ContainsKey("device_added_ms") == true))
        {
            var d = end.Details!;
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Turn {d["turn"]}: \"{d["reply_text"]}\"");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  end of turn -> tokens {d["end_of_turn_to_tokens_ms"]} ms, -> first text {d["end_of_turn_to_first_text_ms"]} ms, " +
                $"-> first audio token {d["end_of_turn_to_first_audio_token_ms"]} ms, -> first audio out {d["end_of_turn_to_first_audio_out_ms"]} ms");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  server wait {d["server_wait_ms"]} ms; device-added latency {d["device_added_ms"]} ms (vocoder first chunk {d["vocoder_first_chunk_ms"]} ms); reply audio {d["audio_seconds"]} s");
        }

        return text.ToString();
    }

    private static string Summary(PipelineEvent e)
    {
        if (e.Details is null)
        {
            return string.Empty;
        }

        return e.Type switch
        {
            PipelineEventTypes.Wake => $"{e.Details["keyword"]} (score {e.Details["score"]})",
            PipelineEventTypes.TokensReady => $"{e.Details["groups"]} token groups, {e.Details["ms_after_end_of_turn"]} ms after end of turn",
            PipelineEventTypes.SpeculativeStart or PipelineEventTypes.ChatRequest or PipelineEventTypes.SpeculativeCommit => $"{e.Details["groups"]} token groups",
            PipelineEventTypes.EndOfTurn => $"({e.Details["reason"]})",
            PipelineEventTypes.FirstTextToken => $"server first token {e.Details["server_first_token_ms"]} ms",
            PipelineEventTypes.FirstAudioToken => $"server first audio id {e.Details["server_first_audio_id_ms"]} ms",
            PipelineEventTypes.FirstAudioOut => $"{e.Details["first_audio_token_to_audio_out_ms"]} ms after the first audio token",
            PipelineEventTypes.Error => $"{e.Details["stage"]}/{e.Details["kind"]}: {e.Details["message"]}",
            PipelineEventTypes.TtsRequest => $"\"{e.Details["text"]}\"",
            _ => string.Empty,
        };
    }
}
