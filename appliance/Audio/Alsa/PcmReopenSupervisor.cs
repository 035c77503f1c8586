namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>What one direction's audio thread does with a PCM the supervisor opened for it.</summary>
internal interface IPcmStreamLoop
{
    /// <summary>True once the owner is stopping: the supervisor opens nothing more and returns.</summary>
    bool StopRequested { get; }

    /// <summary>The device is open with the format it agreed to (a first open or a reopen).</summary>
    void OnOpened(IPcmDevice device);

    /// <summary>Streams until stopped (returns 0) or until the device fails (returns the negative error).</summary>
    int Stream(IPcmDevice device);

    /// <summary>The device was closed, after <see cref="Stream"/> returned.</summary>
    void OnClosed();

    /// <summary>A failed stream, before the supervisor closes the device to reopen it.</summary>
    void OnStreamFailed(int error);

    /// <summary>The device failed (a fault) or works again (null); called on the audio thread.</summary>
    void OnFaultChanged(AudioDeviceFault? fault);

    /// <summary>Waits out a backoff delay before the next open; false when a stop arrived meanwhile.</summary>
    bool WaitBeforeReopen(TimeSpan delay);
}

/// <summary>
/// The one reopen-with-backoff loop of capture and playback: opens the PCM, hands it to the direction's loop, and when
/// the device cannot be opened or fails mid-stream closes it, records the fault (<see cref="Fault"/>: since when, how
/// many attempts, the next delay) and retries with exponential backoff until it works again or the owner stops.
/// </summary>
internal sealed class PcmReopenSupervisor
{
    private readonly IPcmOpener _opener;
    private readonly PcmRequest _request;
    private readonly AudioMetrics _metrics;
    private readonly TimeProvider _time;
    private ReopenBackoff _backoff;
    private volatile AudioDeviceFault? _fault;

    public PcmReopenSupervisor(IPcmOpener opener, PcmRequest request, TimeSpan initialDelay, TimeSpan maxDelay, AudioMetrics metrics, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(opener);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(time);
        _opener = opener;
        _request = request;
        _metrics = metrics;
        _time = time;
        _backoff = new ReopenBackoff(initialDelay, maxDelay);
    }

    /// <summary>Why the device is not working, while it is not; null while it is.</summary>
    public AudioDeviceFault? Fault => _fault;

    /// <summary>Runs on the audio thread until <see cref="IPcmStreamLoop.StopRequested"/>.</summary>
    public void Run(IPcmStreamLoop loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        var direction = _request.Direction == PcmDirection.Capture ? "capture" : "playback";
        var reopening = false;
        while (!loop.StopRequested)
        {
            IPcmDevice device;
            try
            {
                device = _opener.Open(_request);
            }
            catch (AlsaException ex)
            {
                reopening = true;
                if (!WaitAfterFailure(loop, ex.Message, ex.ErrorCode))
                {
                    break;
                }

                continue;
            }

            int error;
            using (device)
            {
                if (reopening)
                {
                    _metrics.RecordReopen(direction, _request.Device);
                }

                _backoff.Reset();
                if (_fault is not null)
                {
                    _fault = null;
                    loop.OnFaultChanged(null);
                }

                loop.OnOpened(device);
                error = loop.Stream(device);
                loop.OnClosed();
            }

            if (error < 0)
            {
                loop.OnStreamFailed(error);
                reopening = true;
                var verb = _request.Direction == PcmDirection.Capture ? "reading" : "writing";
                if (!WaitAfterFailure(loop, $"{verb} failed: {LibAsound.StrError(error)} ({error})", error))
                {
                    break;
                }
            }
        }
    }

    private bool WaitAfterFailure(IPcmStreamLoop loop, string message, int errorCode)
    {
        var delay = _backoff.Next();
        var since = _fault?.Since ?? _time.GetUtcNow();
        var fault = new AudioDeviceFault(_request.Device, message, errorCode, since, _backoff.Attempts, delay);
        _fault = fault;
        loop.OnFaultChanged(fault);
        return loop.WaitBeforeReopen(delay);
    }
}

/// <summary>Exponential backoff between attempts to reopen a failed device: initial, doubling, capped.</summary>
internal struct ReopenBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private TimeSpan _next;

    public ReopenBackoff(TimeSpan initial, TimeSpan max)
    {
        _initial = initial;
        _max = max;
        _next = initial;
    }

    public int Attempts { get; private set; }

    /// <summary>The delay before the next attempt; each call doubles the one after, up to the cap.</summary>
    public TimeSpan Next()
    {
        var delay = _next;
        Attempts++;
        var doubled = _next * 2;
        _next = doubled > _max ? _max : doubled;
        return delay;
    }

    public void Reset()
    {
        _next = _initial;
        Attempts = 0;
    }
}
