namespace StepAudio.Ops.Fleet;

/// <summary>
/// Bounded FIFO of QoS 1 messages that outlives connections. A message leaves only when the broker acknowledged it
/// (<see cref="TryPeek"/> then <see cref="Remove"/>), so a disconnect mid-publish re-sends it: at least once.
/// When full, the oldest message is dropped and counted.
/// </summary>
public sealed class Outbox
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Entry> _entries = new();
    private TaskCompletionSource _available = NewSignal();
    private long _nextSequence;
    private long _dropped;
    private long _enqueued;

    public Outbox(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Messages dropped because the outbox was full (oldest first).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public long Enqueued => Interlocked.Read(ref _enqueued);

    /// <summary>Adds a message; returns false when that made the oldest one fall out.</summary>
    public bool Enqueue(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        TaskCompletionSource signal;
        var droppedOne = false;
        lock (_gate)
        {
            if (_entries.Count == Capacity)
            {
                _entries.RemoveFirst();
                _dropped++;
                droppedOne = true;
            }

            _entries.AddLast(new Entry(_nextSequence++, message));
            _enqueued++;
            signal = _available;
        }

        signal.TrySetResult();
        return !droppedOne;
    }

    /// <summary>The oldest message and its sequence number, left in place until <see cref="Remove"/>.</summary>
    public bool TryPeek(out long sequence, out OutboxMessage message)
    {
        lock (_gate)
        {
            if (_entries.First is { } first)
            {
                sequence = first.Value.Sequence;
                message = first.Value.Message;
                return true;
            }
        }

        sequence = -1;
        message = null!;
        return false;
    }

    /// <summary>Removes the message with this sequence number if it is still queued (it may have been dropped meanwhile).</summary>
    public bool Remove(long sequence)
    {
        lock (_gate)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                if (node.Value.Sequence == sequence)
                {
                    _entries.Remove(node);
                    return true;
                }

                if (node.Value.Sequence > sequence)
                {
                    break;
                }
            }
        }

        return false;
    }

    /// <summary>Completes when at least one message is queued.</summary>
    public Task WaitForMessageAsync(CancellationToken cancellationToken)
    {
        Task wait;
        lock (_gate)
        {
            if (_entries.Count > 0)
            {
                return Task.CompletedTask;
            }

            if (_available.Task.IsCompleted)
            {
                _available = NewSignal();
            }

            wait = _available.Task;
        }

        return wait.WaitAsync(cancellationToken);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly record struct Entry(long Sequence, OutboxMessage Message);
}
