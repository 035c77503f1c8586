using Microsoft.Extensions.Logging;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Engine.Pipeline;

/// <summary>The conversation around the turns: history, the follow-up window, and saying what went wrong.</summary>
public sealed partial class TurnCoordinator
{
    private Task _preparingPrompts = Task.CompletedTask;

    // Rendering prompts is opportunistic: it stops when the coordinator stops, whatever the reason.
    private CancellationToken _promptsToken;

    /// <summary>Where a follow-up window is opened after each spoken reply; none when null.</summary>
    public IFollowUpWindow? FollowUpWindow { get; init; }

    /// <summary>What is played when the GPU server fails a turn; silence when null.</summary>
    public OfflinePrompts? OfflinePrompts { get; init; }

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

    /// <summary>The reply has played: listen without the wake word for a while, and use the quiet moment to render missing prompts.</summary>
    private void AfterSpokenReply(int turnId)
    {
        var window = _context.Options.FollowUpWindow;
        if (FollowUpWindow is { } followUp && window > TimeSpan.Zero)
        {
            followUp.OpenFollowUpWindow(window);
            Emit(new FollowUpOpened(_timeline.NowMs, turnId, window.TotalMilliseconds, _context.SessionId));
        }

        PreparePromptsInBackground();
    }

    /// <summary>Speech in the follow-up window: a turn of the same conversation, which this speaker already won.</summary>
    private void OnFollowUpSpeech(TurnSignal signal)
    {
        _answering = Task.FromResult(true);
        Emit(new FollowUpStarted(signal.AtMs, signal.TurnId, _context.SessionId));
    }

    /// <summary>Renders the offline prompts the device does not have in its own voice yet, off the turn's path.</summary>
    private void PreparePromptsInBackground()
    {
        if (OfflinePrompts is { NeedsRendering: true } prompts && _preparingPrompts.IsCompleted && !_promptsToken.IsCancellationRequested)
        {
            var token = _promptsToken;
            _preparingPrompts = Task.Run(() => prompts.PrepareAsync(token), token);
        }
    }

    private async Task FinishPreparingPromptsAsync()
    {
        try
        {
            await _preparingPrompts;
        }
        catch (OperationCanceledException)
        {
            // Stopping: whatever was not rendered is rendered next time.
        }
    }

    /// <summary>
    /// A turn failed on the link: says so with the prompt for what happened, reports it, and returns;
    /// the listening loop never stopped, so the device is back to waiting for the wake word.
    /// </summary>
    private async Task SayWhatWentWrongAsync(Exception error, int turnId, CancellationToken cancellationToken)
    {
        if (OfflinePrompts is not { Options.Enabled: true } prompts || !OfflinePromptClassifier.TryClassify(error, out var kind))
        {
            return;
        }

        try
        {
            var clip = await prompts.PlayAsync(kind, _output, cancellationToken);
            Emit(new OfflinePromptPlayed(_timeline.NowMs, turnId, kind, clip.Source, Math.Round(clip.Seconds, 2)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A new wake or shutdown pre-empts the prompt like any reply.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.PromptFailed(_logger, kind.ToString(), ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "The {Kind} prompt could not be played: {Reason}")]
        public static partial void PromptFailed(ILogger logger, string kind, string reason);
    }
}
