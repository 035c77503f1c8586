using System.Globalization;
using System.Text;
using StepAudio.Engine.Pipeline.Events;

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

        foreach (var end in events.OfType<TurnEnded>())
        {
            if (end.Reply is not { } reply)
            {
                continue;
            }

            var d = reply.Latency;
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Turn {end.Turn}: \"{reply.Text}\"");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  end of turn -> tokens {d.EndOfTurnToTokensMs} ms, -> first text {d.EndOfTurnToFirstTextMs} ms, " +
                $"-> first audio token {d.EndOfTurnToFirstAudioTokenMs} ms, -> first audio out {d.EndOfTurnToFirstAudioOutMs} ms");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  server wait {d.ServerWaitMs} ms; device-added latency {d.DeviceAddedMs} ms (vocoder first chunk {d.VocoderFirstChunkMs} ms); reply audio {reply.AudioSeconds} s");
        }

        return text.ToString();
    }

    private static string Summary(PipelineEvent e) => e switch
    {
        WakeDetected wake => $"{wake.Keyword} (score {wake.Score})",
        TokensReady tokens => $"{tokens.Groups} token groups, {tokens.MsAfterEndOfTurn} ms after end of turn",
        SpeculationStarted started => $"{started.Groups} token groups",
        ChatRequested chat => $"{chat.Groups} token groups",
        SpeculationCommitted committed => $"{committed.Groups} token groups",
        EndOfTurnDetected end => $"({end.Reason})",
        FirstTextToken text => $"server first token {text.ServerFirstTokenMs} ms",
        FirstAudioToken audio => $"server first audio id {audio.ServerFirstAudioIdMs} ms",
        FirstAudioOut audio => $"{audio.FirstAudioTokenToAudioOutMs} ms after the first audio token",
        TurnFailed failed => $"{failed.StageName}/{failed.Kind}: {failed.Message}",
        TtsRequested tts => $"\"{tts.Text}\"",
        _ => string.Empty,
    };
}
