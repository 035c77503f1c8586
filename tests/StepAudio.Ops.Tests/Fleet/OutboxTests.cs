using StepAudio.Ops.Fleet;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class OutboxTests
{
    private static OutboxMessage Message(int i) => new("t", new[] { (byte)i });

    [Fact]
    public void Enqueue_WhenFull_ThenDropsOldestAndCounts()
    {
        var outbox = new Outbox(3);

        for (var i = 0; i < 5; i++)
        {
            outbox.Enqueue(Message(i));
        }

        Assert.Equal(3, outbox.Count);
        Assert.Equal(2, outbox.Dropped);
        Assert.Equal(5, outbox.Enqueued);
        Assert.True(outbox.TryPeek(out _, out var oldest));
        Assert.Equal(2, oldest.Payload.Span[0]);
    }

    [Fact]
    public void Remove_WhenAcknowledgedMessageWasDroppedMeanwhile_ThenFalseAndNothingElseRemoved()
    {
        var outbox = new Outbox(2);
        outbox.Enqueue(Message(0));
        Assert.True(outbox.TryPeek(out var inFlight, out _));
        outbox.Enqueue(Message(1));
        outbox.Enqueue(Message(2));

        Assert.False(outbox.Remove(inFlight));

        Assert.Equal(2, outbox.Count);
    }

    [Fact]
    public void TryPeek_WhenPeekedTwiceWithoutRemove_ThenSameMessage()
    {
        var outbox = new Outbox(4);
        outbox.Enqueue(Message(7));

        Assert.True(outbox.TryPeek(out var first, out _));
        Assert.True(outbox.TryPeek(out var again, out _));
        Assert.True(outbox.Remove(first));

        Assert.Equal(first, again);
        Assert.False(outbox.TryPeek(out _, out _));
    }

    [Fact]
    public async Task WaitForMessageAsync_WhenEmptyThenEnqueued_ThenCompletes()
    {
        var outbox = new Outbox(4);
        var wait = outbox.WaitForMessageAsync(CancellationToken.None);
        Assert.False(wait.IsCompleted);

        outbox.Enqueue(Message(1));

        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(outbox.WaitForMessageAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task WaitForMessageAsync_WhenCancelled_ThenThrows()
    {
        var outbox = new Outbox(4);
        using var cancel = new CancellationTokenSource();
        var wait = outbox.WaitForMessageAsync(cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
