using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tokenizer;

namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>
/// A chat request started at a pause, before the turn is known to be over. It is cancelled when
/// the user goes on talking (the connection closes, so the server stops generating) and committed
/// when the turn ends with exactly the tokens it was asked with: then no new speech arrived since
/// it started and its text, often already arriving, becomes the reply. Any other end re-requests.
/// </summary>
internal sealed class Speculation : IAsyncDisposable
{
    private readonly TurnContext _context;
    private readonly CancellationTokenSource _cancel;
    private readonly Task<ChatStream?> _started;
    private bool _committed;
    private bool _disposed;

    private Speculation(TurnContext context, TurnSignal pause, CancellationToken cancellationToken)
    {
        _context = context;
        TurnId = pause.TurnId;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _started = StartAsync(pause, _cancel.Token);
    }

    /// <summary>The turn it belongs to.</summary>
    public int TurnId { get; }

    /// <summary>Token groups it was asked with.</summary>
    public int Groups { get; private set; }

    /// <summary>The interleaved ids it was asked with; empty until its tokens are known.</summary>
    public int[] AskedWith { get; private set; } = [];

    public static Speculation Start(TurnContext context, TurnSignal pause, CancellationToken cancellationToken) =>
        new(context, pause, cancellationToken);

    /// <summary>
    /// Commits the speculation when the turn's final tokens are exactly those it was asked with (no
    /// new speech since it started); otherwise cancels it, so the server stops generating, and
    /// returns null for the caller to ask anew with the final tokens.
    /// </summary>
    public async Task<ChatStream?> CommitOrDiscardAsync(AudioTokens final)
    {
        var verdict = await TryCommitAsync(final).ConfigureAwait(false);
        if (verdict.Chat is not null)
        {
            _context.Emit(new SpeculationCommitted(_context.Timeline.NowMs, TurnId, Groups));
            return verdict.Chat;
        }

        await DisposeAsync().ConfigureAwait(false);
        var reason = verdict.Outcome == SpeculationOutcome.TokensChanged ? SpeculationDiscardReason.TokensChanged : SpeculationDiscardReason.Failed;
        _context.Emit(new SpeculationDiscarded(_context.Timeline.NowMs, TurnId, reason, Groups, final.GroupCount, verdict.SharedGroups));
        return null;
    }

    /// <summary>
    /// Hands over the running request when the turn's <paramref name="final"/> tokens are the ones
    /// it was asked with; null when they differ (new speech arrived), or it never started or failed.
    /// </summary>
    private async Task<SpeculationVerdict> TryCommitAsync(AudioTokens final)
    {
        ArgumentNullException.ThrowIfNull(final);
        ChatStream? chat;
        try
        {
            chat = await _started.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new SpeculationVerdict(null, SpeculationOutcome.Failed, 0);
        }

        if (chat is null || chat.Text.Completion.IsFaulted)
        {
            return new SpeculationVerdict(null, SpeculationOutcome.Failed, 0);
        }

        var finalIds = final.ToInterleavedIds();
        var shared = TokenPrefix.CommonGroups(AskedWith, finalIds);
        if (!AskedWith.AsSpan().SequenceEqual(finalIds))
        {
            return new SpeculationVerdict(null, SpeculationOutcome.TokensChanged, shared);
        }

        _committed = true;
        return new SpeculationVerdict(chat, SpeculationOutcome.Committed, shared);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_committed)
        {
            await _cancel.CancelAsync().ConfigureAwait(false);
            try
            {
                var chat = await _started.ConfigureAwait(false);
                if (chat is not null)
                {
                    await chat.DisposeAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A speculation that failed or was cancelled leaves nothing to clean up.
            }
        }

        _cancel.Dispose();
    }

    private async Task<ChatStream?> StartAsync(TurnSignal pause, CancellationToken cancellationToken)
    {
        var tokens = await pause.Tokens!.WaitAsync(cancellationToken).ConfigureAwait(false);
        Groups = tokens.GroupCount;
        AskedWith = tokens.ToInterleavedIds();
        if (Groups == 0 || cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        var chat = _context.StartChat(tokens, holdTools: true, cancellationToken);
        _context.Emit(new SpeculationStarted(chat.RequestAtMs, TurnId, Groups));
        return chat;
    }
}

/// <summary>How a speculation ended at the end of its turn.</summary>
internal enum SpeculationOutcome
{
    /// <summary>The final tokens were the ones it was asked with: its reply is used.</summary>
    Committed,

    /// <summary>New speech changed the tokens: it is cancelled and the turn asks anew.</summary>
    TokensChanged,

    /// <summary>It never started (no tokens) or the request failed.</summary>
    Failed,
}

/// <summary>The decision at the end of a turn, with the token groups the two requests share.</summary>
internal readonly record struct SpeculationVerdict(ChatStream? Chat, SpeculationOutcome Outcome, int SharedGroups);
