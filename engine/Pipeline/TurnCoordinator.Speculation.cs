using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tokenizer;

namespace StepAudio.Engine.Pipeline;

/// <summary>The end-of-turn half of speculative responses: commit the running request or drop it.</summary>
public sealed partial class TurnCoordinator
{
    /// <summary>
    /// Commits <paramref name="speculation"/> when the turn's final tokens are exactly those it was
    /// asked with (no new speech since it started); otherwise cancels it, so the server stops
    /// generating, and returns null for the caller to ask anew with the final tokens.
    /// </summary>
    private async Task<ChatStream?> CommitOrDiscardAsync(Speculation speculation, AudioTokens final, int turnId)
    {
        var verdict = await speculation.TryCommitAsync(final);
        if (verdict.Chat is not null)
        {
            Emit(new SpeculationCommitted(_timeline.NowMs, turnId, speculation.Groups));
            return verdict.Chat;
        }

        await speculation.DisposeAsync();
        var reason = verdict.Outcome == SpeculationOutcome.TokensChanged ? SpeculationDiscardReason.TokensChanged : SpeculationDiscardReason.Failed;
        Emit(new SpeculationDiscarded(_timeline.NowMs, turnId, reason, speculation.Groups, final.GroupCount, verdict.SharedGroups));
        return null;
    }
}
