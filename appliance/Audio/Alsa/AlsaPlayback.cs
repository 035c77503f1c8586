using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Echo;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>
/// Plays replies through an ALSA PCM from a dedicated thread. <see cref="WriteAsync"/> queues mono audio at
/// <see cref="SampleRate"/> in a bounded queue; the thread resamples it to the device rate, applies the smoothed
/// <see cref="Volume"/> and writes whole periods. Underruns are recovered and counted; a device that fails is reopened
/// with backoff while queued audio is discarded, so the pipeline never blocks on a missing speaker.
/// </summary>
/// <remarks><see cref="WriteAsync"/> and <see cref="CompleteReplyAsync"/> expect one caller at a time (the reply pipeline).</remarks>
public sealed partial class AlsaPlayback : IAudioPlayback, IPcmStreamLoop
{
    private const string Direction = "playback";
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(5);

    private readonly AlsaPlaybackOptions _options;
    private readonly PcmReopenSupervisor _supervisor;
    private readonly ILogger _logger;
    private readonly AudioMetrics _metrics;
    private readonly bool _ownsMetrics;
    private readonly TimeProvider _time;
    private readonly SampleQueue _queue;
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly SemaphoreSlim _space = new(0);
    private readonly PlaybackReference? _reference;
    private PlaybackReferenceTap? _tap;

    private Thread? _thread;
    private PlaybackRenderer? _renderer;
    private volatile bool _disposed;
    private volatile AudioStreamFormat? _format;
    private float _volume;
    private long _xruns;
    private int _writerWaiting;
    private ReplyCompletion? _pendingComplete;
    private TaskCompletionSource? _pendingStop;
    private bool _rewindUnsupportedLogged;

    /// <param name="options">Device and queue settings.</param>
    /// <param name="logger">Where device events go.</param>
    /// <param name="metrics">Xrun and reopen counters; owned here when null.</param>
    /// <param name="reference">When given, every block written to the device is also written here (16 kHz) for echo cancellation.</param>
    public AlsaPlayback(AlsaPlaybackOptions options, ILogger<AlsaPlayback>? logger = null, AudioMetrics? metrics = null, PlaybackReference? reference = null)
        : this(options, AlsaPcmOpener.Instance, logger, metrics, TimeProvider.System, reference)
    {
    }

    internal AlsaPlayback(AlsaPlaybackOptions options, IPcmOpener opener, ILogger? logger, AudioMetrics? metrics, TimeProvider time, PlaybackReference? reference = null)
    {
        _reference = reference;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(opener);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _ownsMetrics = metrics is null;
        _metrics = metrics ?? new AudioMetrics();
        _time = time;
        _supervisor = new PcmReopenSupervisor(
            opener,
            new PcmRequest(options.Device, PcmDirection.Playback, options.SampleFormat, options.SampleRate, options.Channels, options.PeriodFrames, options.BufferFrames),
            TimeSpan.FromMilliseconds(options.ReopenInitialDelayMs),
            TimeSpan.FromMilliseconds(options.ReopenMaxDelayMs),
            _metrics,
            time);
        _volume = options.Volume;
        _queue = new SampleQueue((int)Math.Max(1024, (long)options.InputSampleRate * options.QueueMs / 1000));
    }

    /// <summary>The rate <see cref="WriteAsync"/> takes (the vocoder's), not the device's.</summary>
    public int SampleRate => _options.InputSampleRate;

    public float Volume
    {
        get => Volatile.Read(ref _volume);
        set
        {
            if (!(value >= 0f && value <= 1f))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Volume must be between 0 and 1.");
            }

            Volatile.Write(ref _volume, value);
        }
    }

    public AudioStreamFormat? Format => _format;

    public AudioDeviceFault? Fault => _supervisor.Fault;

    public long Xruns => Interlocked.Read(ref _xruns);

    /// <summary>Raised on the playback thread when the device fails or recovers.</summary>
    public event EventHandler<AudioDeviceFaultEventArgs>? FaultChanged;

    /// <summary>Raised on the playback thread each time the device is (re)opened.</summary>
    public event EventHandler<AudioStreamFormat>? Opened;

    /// <summary>Starts the playback thread, which opens the device (retrying with backoff until it can).</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_thread is not null)
        {
            throw new InvalidOperationException($"Playback to '{_options.Device}' is already running.");
        }

        _thread = new Thread(Run) { Name = "alsa-playback", IsBackground = true, Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken cancellationToken)
    {
        EnsureRunning();
        while (!samples.IsEmpty)
        {
            var written = _queue.Write(samples.Span);
            samples = samples[written..];
            _wake.Set();
            if (samples.IsEmpty)
            {
                break;
            }

            // Full: wait for the playback thread to make room. Re-check after raising the flag so a release between
            // the failed write and the flag cannot be missed.
            Volatile.Write(ref _writerWaiting, 1);
            if (_queue.Count < _queue.Capacity)
            {
                continue;
            }

            await _space.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask CompleteReplyAsync(CancellationToken cancellationToken)
    {
        EnsureRunning();
        var completion = new ReplyCompletion(_queue.TotalWritten);
        if (Interlocked.CompareExchange(ref _pendingComplete, completion, null) is not null)
        {
            throw new InvalidOperationException("A reply is already completing; await it before completing another.");
        }

        _wake.Set();
        await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken ct = default)
    {
        EnsureRunning();
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = Interlocked.CompareExchange(ref _pendingStop, stop, null) ?? stop;
        _wake.Set();
        return pending.Task.WaitAsync(ct);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _wake.Set();
        if (_thread is not null && !_thread.Join(JoinTimeout))
        {
            Log.StopTimedOut(_logger, _options.Device, JoinTimeout.TotalSeconds);
            return;
        }

        CompletePending();
        _wake.Dispose();
        _space.Dispose();
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    private void EnsureRunning()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_thread is null)
        {
            throw new InvalidOperationException($"Playback to '{_options.Device}' has not been started; call Start first.");
        }
    }

    private void Run()
    {
        _supervisor.Run(this);
        CompletePending();
    }

    bool IPcmStreamLoop.StopRequested => _disposed;

    void IPcmStreamLoop.OnOpened(IPcmDevice device)
    {
        var format = device.Format;
        // Built once per open for whatever the device agreed to; the gain carries over so a reopen does not jump.
        _renderer = new PlaybackRenderer(
            _options.InputSampleRate, format, device.SampleFormat, _options.VolumeRampMs, _renderer?.CurrentGain ?? Volume);

        _tap = _reference is null ? null : new PlaybackReferenceTap(_reference, format);
        _format = format;
        Log.Opened(_logger, format.Device, format.SampleFormat, format.SampleRate, format.Channels, format.PeriodFrames, format.BufferFrames, SampleRate);
        Opened?.Invoke(this, format);
    }

    int IPcmStreamLoop.Stream(IPcmDevice device) => PlayUntilDisposedOrFailed(device, _renderer!);

    void IPcmStreamLoop.OnClosed() => _format = null;

    void IPcmStreamLoop.OnStreamFailed(int error) => Log.DeviceFailed(_logger, _options.Device, LibAsound.StrError(error), error);

    void IPcmStreamLoop.OnFaultChanged(AudioDeviceFault? fault)
    {
        if (fault is null)
        {
            Log.Recovered(_logger, _options.Device);
        }
        else
        {
            Log.OpenFailed(_logger, _options.Device, fault.Message, fault.Attempts, fault.NextAttemptIn.TotalMilliseconds);
        }

        FaultChanged?.Invoke(this, new AudioDeviceFaultEventArgs(fault));
    }

    /// <summary>A pending <see cref="CompleteReplyAsync"/>: the reply ends at stream position <see cref="EndsAt"/>.</summary>
    private sealed class ReplyCompletion(long endsAt) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long EndsAt { get; } = endsAt;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3120, Level = LogLevel.Information,
            Message = "Playback opened {Device}: {SampleFormat} {Rate} Hz x{Channels}, period {Period}, buffer {Buffer} frames; input {InputRate} Hz")]
        public static partial void Opened(ILogger logger, string device, string sampleFormat, int rate, int channels, int period, int buffer, int inputRate);

        [LoggerMessage(EventId = 3121, Level = LogLevel.Warning, Message = "Playback underrun on {Device} ({Reason}); recover returned {Recovered}")]
        public static partial void Xrun(ILogger logger, string device, string reason, int recovered);

        [LoggerMessage(EventId = 3122, Level = LogLevel.Error, Message = "Playback device {Device} failed: {Reason} ({Code}); closing it to reopen")]
        public static partial void DeviceFailed(ILogger logger, string device, string reason, int code);

        [LoggerMessage(EventId = 3123, Level = LogLevel.Warning,
            Message = "Playback device {Device} unavailable: {Reason} (attempt {Attempt}); discarding audio, retrying in {DelayMs} ms")]
        public static partial void OpenFailed(ILogger logger, string device, string reason, int attempt, double delayMs);

        [LoggerMessage(EventId = 3124, Level = LogLevel.Information, Message = "Playback device {Device} is back")]
        public static partial void Recovered(ILogger logger, string device);

        [LoggerMessage(EventId = 3125, Level = LogLevel.Information, Message = "Playback on {Device} stopped: {Rewound} frames taken back, {Fade}-frame fade")]
        public static partial void Stopped(ILogger logger, string device, int rewound, int fade);

        [LoggerMessage(EventId = 3126, Level = LogLevel.Warning, Message = "Playback device {Device} cannot rewind ({Reason}); a stop plays out what it holds")]
        public static partial void RewindUnsupported(ILogger logger, string device, string reason);

        [LoggerMessage(EventId = 3127, Level = LogLevel.Error, Message = "Playback thread for {Device} did not stop within {Seconds} s")]
        public static partial void StopTimedOut(ILogger logger, string device, double seconds);
    }
}
