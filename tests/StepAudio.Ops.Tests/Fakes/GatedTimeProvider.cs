namespace StepAudio.Ops.Tests.Fakes;

/// <summary>
/// The real clock, except that timers fire only when the test calls <see cref="Release"/>: a window that waits on
/// such a timer stays open, provably, until the test closes it.
/// </summary>
internal sealed class GatedTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<(TimerCallback Callback, object? State)> _armed = [];

    /// <summary>Timers created and not yet released.</summary>
    public int Armed
    {
        get
        {
            lock (_gate)
            {
                return _armed.Count;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            _armed.Add((callback, state));
        }

        return new HeldTimer();
    }

    /// <summary>Fires every timer armed so far, once.</summary>
    public void Release()
    {
        List<(TimerCallback Callback, object? State)> due;
        lock (_gate)
        {
            due = [.. _armed];
            _armed.Clear();
        }

        foreach (var (callback, state) in due)
        {
            callback(state);
        }
    }

    private sealed class HeldTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
