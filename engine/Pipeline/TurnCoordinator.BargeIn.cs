using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Engine.Pipeline;

/// <summary>The coordinator's side of barge-in.</summary>
public sealed partial class TurnCoordinator
{
    /// <summary>
    /// The listening loop has already silenced the output on the frame it heard the user; here the
    /// reply is cancelled (synthesis, TTS and chat streams close with it) and, once it has stopped,
    /// the output is flushed again so nothing the reply wrote in the meantime is played. The next
    /// reply waits for this.
    /// </summary>
    private void InterruptReply(TurnSignal bargeIn)
    {
        var reply = _reply;
        var playing = !reply.IsCompleted;

        // The flush becomes the current reply before the cancellation ends the turn: whoever sees the turn end and
        // then waits for the current reply waits for the flush too, not for the reply it replaces.
        _reply = FlushAfterAsync(reply);
        _replyCancel?.Cancel();
        Emit(new BargedIn(bargeIn.AtMs, bargeIn.TurnId, bargeIn.Keyword, bargeIn.SpeechMs, Math.Round(bargeIn.Score, 4), playing, StopLatencyFrames: 0));
    }

    private async Task FlushAfterAsync(Task reply)
    {
        // ReplyAsync reports its own failures; only its end matters here.
        await reply.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_interruptible is not null)
        {
            await _interruptible.StopAsync(CancellationToken.None);
        }
    }
}
