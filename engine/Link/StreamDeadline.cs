namespace StepAudio.Engine.Link;

/// <summary>
/// One cancellation source per request that carries the caller's token and the first-token / idle
/// deadline. Re-arming only moves the existing timer, so a token costs no allocation.
/// </summary>
internal sealed class StreamDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _caller;

    public StreamDeadline(TimeSpan firstTokenTimeout, CancellationToken caller)
    {
        _caller = caller;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _source.CancelAfter(firstTokenTimeout);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>True once a token arrived: from then on the idle timeout applies.</summary>
    public bool PastFirstToken { get; private set; }

    /// <summary>The deadline fired (the caller did not cancel).</summary>
    public bool Expired => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    public bool CallerCancelled => _caller.IsCancellationRequested;

    /// <summary>
    /// A token arrived and goes to the consumer: the clock stops while the consumer holds it, so a
    /// slow consumer (back-pressure from the vocoder) is not mistaken for a stalled server.
    /// </summary>
    public void TokenArrived()
    {
        PastFirstToken = true;
        _source.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    /// <summary>The consumer wants the next token: it is due within <paramref name="idleTimeout"/>.</summary>
    public void AwaitNextToken(TimeSpan idleTimeout) => _source.CancelAfter(idleTimeout);

    public void Dispose() => _source.Dispose();
}
