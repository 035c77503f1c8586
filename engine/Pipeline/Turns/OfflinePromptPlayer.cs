using Microsoft.Extensions.Logging;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>
/// Says what went wrong when a turn fails on the link, with the prompt for what happened, and
/// renders the prompts the device does not have in its own voice yet in the quiet moment after a
/// spoken reply, off the turn's path. Without prompts it does nothing.
/// </summary>
internal sealed partial class OfflinePromptPlayer(OfflinePrompts? prompts, IAudioOutput output, TurnContext context, ILogger logger) : IDisposable
{
    // Rendering is opportunistic: it stops when the coordinator stops, whatever the reason.
    private readonly CancellationTokenSource _stop = new();
    private Task _preparing = Task.CompletedTask;

    /// <summary>Renders missing prompts in the background unless a rendering runs or the player stopped.</summary>
    public void PrepareInBackground()
    {
        if (prompts is { NeedsRendering: true } ready && _preparing.IsCompleted && !_stop.IsCancellationRequested)
        {
            var token = _stop.Token;
            _preparing = Task.Run(() => ready.PrepareAsync(token), token);
        }
    }

    /// <summary>
    /// A turn failed on the link: says so and reports it; the listening loop never stopped, so the
    /// device is back to waiting for the wake word.
    /// </summary>
    public async Task SayWhatWentWrongAsync(Exception error, int turnId, CancellationToken cancellationToken)
    {
        if (prompts is not { Options.Enabled: true } enabled || !OfflinePromptClassifier.TryClassify(error, out var kind))
        {
            return;
        }

        try
        {
            var clip = await enabled.PlayAsync(kind, output, cancellationToken).ConfigureAwait(false);
            context.Emit(new OfflinePromptPlayed(context.Timeline.NowMs, turnId, kind, clip.Source, Math.Round(clip.Seconds, 2)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A new wake or shutdown pre-empts the prompt like any reply.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.PromptFailed(logger, kind.ToString(), ex.Message);
        }
    }

    /// <summary>Stops rendering at once (the coordinator's run was cancelled).</summary>
    public void Cancel() => _stop.Cancel();

    /// <summary>Stops rendering and waits for it to end; whatever was not rendered is rendered next time.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _preparing.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: whatever was not rendered is rendered next time.
        }
    }

    public void Dispose() => _stop.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "The {Kind} prompt could not be played: {Reason}")]
        public static partial void PromptFailed(ILogger logger, string kind, string reason);
    }
}
