using StepAudio.Engine.Pipeline.Events;
using StepAudio.TestSupport.Replay.Fakes;

namespace StepAudio.TestSupport.Replay;

/// <summary>One replayed turn as the pipeline's events tell it.</summary>
/// <param name="TurnId">The coordinator's turn id.</param>
/// <param name="SpeculationsStarted">Speculative requests sent at pauses.</param>
/// <param name="SpeculationsCancelled">Of those, cancelled because speech resumed.</param>
/// <param name="Committed">The reply came from a speculation.</param>
/// <param name="SpeculationsDiscarded">Speculations dropped at the end of the turn (tokens changed or failed).</param>
/// <param name="ResponseMs">End of turn to the first reply text the device may use: the later of its arrival and the commit; NaN when there was no reply.</param>
/// <param name="ReplyText">What was said; null when nothing.</param>
/// <param name="FinalTokenString">The token string the end of the turn carried; null when nobody spoke.</param>
/// <param name="Failed">An error event was seen.</param>
public sealed record ReplayTurnResult(
    int TurnId,
    int SpeculationsStarted,
    int SpeculationsCancelled,
    bool Committed,
    int SpeculationsDiscarded,
    double ResponseMs,
    string? ReplyText,
    string? FinalTokenString,
    bool Failed);

/// <summary>Reads per-turn results out of a replay's events.</summary>
public static class ReplayResults
{
    /// <summary>The result of every turn in <paramref name="inputs"/>, from <paramref name="events"/>.</summary>
    public static IReadOnlyList<ReplayTurnResult> From(IReadOnlyList<PipelineEvent> events, IReadOnlyList<ReplayTurnInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(inputs);
        var byTurn = events.GroupBy(RecordingEventSink.TurnOf).ToDictionary(g => g.Key, g => g.ToList());
        var results = new List<ReplayTurnResult>(inputs.Count);
        foreach (var input in inputs)
        {
            var own = byTurn.GetValueOrDefault(input.TurnId) ?? [];
            int Count(string type) => own.Count(e => e.Type == type);
            double? At(string type) => own.FirstOrDefault(e => e.Type == type)?.AtMs;

            var endOfTurn = At(PipelineEventTypes.EndOfTurn);
            var firstText = At(PipelineEventTypes.FirstTextToken);
            var commit = At(PipelineEventTypes.SpeculativeCommit);
            var response = endOfTurn is { } end && firstText is { } text ? Math.Max(text, commit ?? double.MinValue) - end : double.NaN;
            var reply = own.OfType<TurnEnded>().FirstOrDefault()?.Reply?.Text;
            results.Add(new ReplayTurnResult(
                input.TurnId,
                Count(PipelineEventTypes.SpeculativeStart),
                Count(PipelineEventTypes.SpeculativeCancel),
                commit is not null,
                Count(PipelineEventTypes.SpeculativeDiscard),
                response,
                reply,
                input.FinalTokens?.ToTokenString(),
                Count(PipelineEventTypes.Error) > 0));
        }

        return results;
    }
}
