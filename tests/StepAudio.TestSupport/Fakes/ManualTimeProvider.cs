namespace StepAudio.TestSupport.Fakes;

/// <summary>
/// A clock that moves only when a test calls <see cref="Advance"/>; timers fire on the test's thread,
/// in due order, as the clock passes them (a periodic timer fires once per elapsed period).
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private long _ticks;
    private long _sequence;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers that exist and are armed.</summary>
    public int ArmedTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    public override long GetTimestamp() => Volatile.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(Volatile.Read(ref _ticks));

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);

        // Real timers fire on thread-pool threads, which have no synchronization context. Firing them
        // under the test framework's context would stop the continuations they complete from running
        // inline (ConfigureAwait(false) ones are queued instead), which no device ever sees.
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            FireUntil(Volatile.Read(ref _ticks) + by.Ticks);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    private void FireUntil(long target)
    {
        while (true)
        {
            ManualTimer? next = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueAt is { } due && due <= target
                        && (next is null || due < next.DueAt || (due == next.DueAt && timer.ArmedSequence < next.ArmedSequence)))
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    break;
                }

                Volatile.Write(ref _ticks, Math.Max(_ticks, next.DueAt!.Value));
                next.DueAt = next.Period > TimeSpan.Zero ? next.DueAt + next.Period.Ticks : null;
            }

            next.Callback(next.State);
        }

        Volatile.Write(ref _ticks, target);
    }

    public void Advance(int milliseconds) => Advance(TimeSpan.FromMilliseconds(milliseconds));

    private void Arm(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            if (!_timers.Contains(timer))
            {
                return;
            }

            timer.DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : _ticks + dueTime.Ticks;
            timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            timer.ArmedSequence = ++_sequence;
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public long? DueAt { get; set; }

        public TimeSpan Period { get; set; }

        public long ArmedSequence { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Arm(this, dueTime, period);
            return true;
        }

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
