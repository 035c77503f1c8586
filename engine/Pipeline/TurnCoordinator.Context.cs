namespace StepAudio.Engine.Pipeline;

public sealed partial class TurnCoordinator
{
    /// <summary>
    /// Keeps a finished turn in the history: the user's turn as the request carried it (so the next
    /// request extends this one's prefix) and the reply as spoken. A cancelled or failed turn never gets
    /// here, so it leaves no half-answer behind.
    /// </summary>
    private void RecordTurn(ChatStream chat, ReplySummary reply)
    {
        if (chat.UserContent is { Length: > 0 } user && !string.IsNullOrWhiteSpace(reply.Text))
        {
            _context.RecordTurn(user, reply.Text);
        }
    }
}
