using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Tools.State;

namespace StepAudio.Engine.Tools.Timers;

/// <summary>
/// Local kitchen timers: kept in <see cref="TimerStore"/> (so they survive a restart), scheduled on
/// a <see cref="TimeProvider"/>, and rung with a locally made <see cref="Chime"/> on the output: no
/// server involved. Ringing repeats until <see cref="StopRinging"/> (wake word, mute, action button)
/// or <see cref="TimerOptions.RingLimit"/>. A timer that fell due while the device was off rings at
/// <see cref="Start"/> when it is at most <see cref="TimerOptions.MissedGrace"/> late and is
/// otherwise reported through <see cref="TimerMissed"/> and dropped.
/// </summary>
public sealed partial class TimerService : IAsyncDisposable
{
    private static readonly TimeSpan LongestArm = TimeSpan.FromDays(1);

    private readonly TimerStore _store;
    private readonly IAudioOutput _output;
    private readonly TimerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<TimerEntry> _timers = [];
    private readonly float[] _chime;
    private readonly ITimer _wakeUp;
    private CancellationTokenSource? _ringing;
    private Task _ringTask = Task.CompletedTask;
    private int _nextId = 1;
    private bool _started;
    private bool _disposed;

    public TimerService(TimerStore store, IAudioOutput output, TimerOptions options, TimeProvider? timeProvider = null, ILogger<TimerService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _output = output;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _chime = Chime.Render(output.SampleRate);
        _wakeUp = _time.CreateTimer(static state => ((TimerService)state!).OnWakeUp(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A timer rang (on a thread-pool or clock thread).</summary>
    public event EventHandler<TimerEventArgs>? TimerRang;

    /// <summary>A timer fell due too long ago while the device was off; it was dropped.</summary>
    public event EventHandler<TimerEventArgs>? TimerMissed;

    /// <summary>Ringing stopped: by a person (the reason names how) or by the ring limit ("limit").</summary>
    public event EventHandler<RingingStoppedEventArgs>? RingingStopped;

    /// <summary>True while the chime repeats.</summary>
    public bool IsRinging
    {
        get
        {
            lock (_gate)
            {
                return _ringing is not null;
            }
        }
    }

    /// <summary>The ringing in progress (or a completed task), for shutdown and tests.</summary>
    public Task RingTask
    {
        get
        {
            lock (_gate)
            {
                return _ringTask;
            }
        }
    }

    /// <summary>Loads the stored timers, rings or reports those that fell due while off, and arms the rest.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        List<TimerEntry> stored;
        try
        {
            stored = _store.Load();
        }
        catch (ToolStateException ex)
        {
            // A damaged file must not keep the speaker from starting: keep it aside for a look, start empty.
            Log.StoreUnreadable(_logger, ex.Message);
            File.Move(_store.Path, _store.Path + ".unreadable", overwrite: true);
            stored = [];
        }

        DateTimeOffset now = _time.GetUtcNow();
        var late = new List<TimerEntry>();
        var missed = new List<TimerEntry>();
        lock (_gate)
        {
            _started = true;
            foreach (TimerEntry timer in stored)
            {
                _nextId = Math.Max(_nextId, NumericId(timer.Id) + 1);
                if (timer.DueAt > now)
                {
                    _timers.Add(timer);
                }
                else if (now - timer.DueAt <= _options.MissedGrace)
                {
                    late.Add(timer);
                }
                else
                {
                    missed.Add(timer);
                }
            }

            if (late.Count > 0 || missed.Count > 0)
            {
                _store.Save(_timers);
            }

            ArmLocked(now);
        }

        foreach (TimerEntry timer in missed)
        {
            Log.Missed(_logger, timer.Id, timer.Label, timer.DueAt);
            TimerMissed?.Invoke(this, new TimerEventArgs(timer));
        }

        if (late.Count > 0)
        {
            Ring(late);
        }
    }

    /// <summary>Sets a timer; persisted before this returns.</summary>
    /// <exception cref="ToolArgumentException">The duration is out of range or too many timers run.</exception>
    public TimerEntry Set(TimeSpan duration, string? label)
    {
        if (duration < TimeSpan.FromSeconds(1) || duration > _options.MaxDuration)
        {
            throw new ToolArgumentException(
                $"set_timer: the duration must be between 1 second and {_options.MaxDuration.TotalSeconds:0} seconds, got {duration.TotalSeconds:0.#}.");
        }

        lock (_gate)
        {
            EnsureStarted();
            if (_timers.Count >= _options.MaxTimers)
            {
                throw new ToolArgumentException($"set_timer: {_options.MaxTimers} timers are already running; cancel one first.");
            }

            DateTimeOffset now = _time.GetUtcNow();
            var timer = new TimerEntry((_nextId++).ToString(System.Globalization.CultureInfo.InvariantCulture), label?.Trim() ?? string.Empty, now + duration, duration);
            _timers.Add(timer);
            _store.Save(_timers);
            ArmLocked(now);
            return timer;
        }
    }

    /// <summary>Cancels timers by id or label (a label may match several); returns those cancelled.</summary>
    public IReadOnlyList<TimerEntry> Cancel(string idOrLabel)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrLabel);
        string key = idOrLabel.Trim();
        lock (_gate)
        {
            EnsureStarted();
            var cancelled = _timers.FindAll(t => t.Id == key || string.Equals(t.Label, key, StringComparison.OrdinalIgnoreCase));
            if (cancelled.Count > 0)
            {
                _timers.RemoveAll(cancelled.Contains);
                _store.Save(_timers);
                ArmLocked(_time.GetUtcNow());
            }

            return cancelled;
        }
    }

    /// <summary>The running timers, soonest first.</summary>
    public IReadOnlyList<TimerEntry> List()
    {
        lock (_gate)
        {
            var list = new List<TimerEntry>(_timers);
            list.Sort(static (a, b) => a.DueAt.CompareTo(b.DueAt));
            return list;
        }
    }

    /// <summary>Time left on <paramref name="timer"/> (zero when due).</summary>
    public TimeSpan Remaining(TimerEntry timer)
    {
        ArgumentNullException.ThrowIfNull(timer);
        TimeSpan left = timer.DueAt - _time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _wakeUp.DisposeAsync().ConfigureAwait(false);
        CancellationTokenSource? ringing;
        Task ringTask;
        lock (_gate)
        {
            ringing = _ringing;
            _ringing = null;
            ringTask = _ringTask;
        }

        ringing?.Cancel();
        await ringTask.ConfigureAwait(false);
    }

    private void OnWakeUp()
    {
        if (_disposed)
        {
            return;
        }

        var due = new List<TimerEntry>();
        lock (_gate)
        {
            DateTimeOffset now = _time.GetUtcNow();
            foreach (TimerEntry timer in _timers)
            {
                if (timer.DueAt <= now)
                {
                    due.Add(timer);
                }
            }

            if (due.Count > 0)
            {
                _timers.RemoveAll(due.Contains);
                _store.Save(_timers);
            }

            ArmLocked(now);
        }

        if (due.Count > 0)
        {
            Ring(due);
        }
    }

    private void ArmLocked(DateTimeOffset now)
    {
        if (_disposed)
        {
            return;
        }

        DateTimeOffset? next = null;
        foreach (TimerEntry timer in _timers)
        {
            if (next is null || timer.DueAt < next)
            {
                next = timer.DueAt;
            }
        }

        if (next is null)
        {
            _wakeUp.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        TimeSpan wait = next.Value - now;
        wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestArm ? LongestArm : wait;
        _wakeUp.Change(wait, Timeout.InfiniteTimeSpan);
    }

    private void EnsureStarted()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_started)
        {
            throw new InvalidOperationException("TimerService.Start() must run before timers are set or cancelled.");
        }
    }

    private static int NumericId(string id) =>
        int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : 0;
}
