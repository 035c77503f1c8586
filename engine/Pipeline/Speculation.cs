namespace StepAudio.Engine.Pipeline;

/// <summary>
/// A chat request started at a pause, before the turn is known to be over. It is cancelled when
/// the user goes on talking (the connection closes, so the server stops generating) and committed
/// when the turn ends, in which case its text, often already arriving, becomes the reply.
/// </summary>
internal sealed class Speculation : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly Task<ChatStream?> _started;
    private bool _committed;

    private Speculation(TurnCoordinator owner, TurnSignal pause, CancellationToken cancellationToken)
    {
        TurnId = pause.TurnId;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _started = StartAsync(owner, pause, _cancel.Token);
    }

    /// <summary>The turn it belongs to.</summary>
    public int TurnId { get; }

    /// <summary>Token groups it was asked with.</summary>
    public int Groups { get; private set; }

    public static Speculation Start(TurnCoordinator owner, TurnSignal pause, CancellationToken cancellationToken) =>
        new(owner, pause, cancellationToken);

    /// <summary>Hands over the running request; null when it never started or already failed.</summary>
    public async Task<ChatStream?> TryCommitAsync()
    {
        ChatStream? chat;
        try
        {
            chat = await _started;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }

        if (chat is null || chat.Text.Completion.IsFaulted)
        {
            return null;
        }

        _committed = true;
        return chat;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            await _cancel.CancelAsync();
            try
            {
                var chat = await _started;
                if (chat is not null)
                {
                    await chat.DisposeAsync();
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A speculation that failed or was cancelled leaves nothing to clean up.
            }
        }

        _cancel.Dispose();
    }

    private async Task<ChatStream?> StartAsync(TurnCoordinator owner, TurnSignal pause, CancellationToken cancellationToken)
    {
        var tokens = await pause.Tokens!.WaitAsync(cancellationToken);
        Groups = tokens.GroupCount;
        if (Groups == 0 || cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        var chat = ChatStream.Start(owner.Client, owner.Messages(tokens), owner.Timeline, owner.Tools, holdTools: true, cancellationToken);
        owner.Emit(PipelineEventTypes.SpeculativeStart, chat.RequestAtMs, ("turn", TurnId), ("groups", Groups));
        return chat;
    }
}
