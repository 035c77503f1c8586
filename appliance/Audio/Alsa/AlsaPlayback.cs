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
public sealed partial class AlsaPlayback : IAudioPlayback
{
    private const string Direction = "playback";
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(5);

    private readonly AlsaPlaybackOptions _options;
    private readonly IPcmOpener _opener;
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
    private volatile AudioDeviceFault? _fault;
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
        _opener = opener;
        _logger = logger ?? NullLogger.Instance;
        _ownsMetrics = metrics is null;
        _metrics = metrics ?? new AudioMetrics();
        _time = time;
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

    public AudioDeviceFault? Fault => _fault;

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
        var backoff = new ReopenBackoff(
            TimeSpan.FromMilliseconds(_options.ReopenInitialDelayMs), TimeSpan.FromMilliseconds(_options.ReopenMaxDelayMs));
        var request = new PcmRequest(
            _options.Device, PcmDirection.Playback, _options.SampleFormat, _options.SampleRate, _options.Channels,
            _options.PeriodFrames, _options.BufferFrames);
        var reopening = false;

        while (!_disposed)
        {
            IPcmDevice device;
            try
            {
                device = _opener.Open(request);
            }
            catch (AlsaException ex)
            {
                reopening = true;
                WaitAfterFailure(ref backoff, ex.Message, ex.ErrorCode);
                continue;
            }

            int error;
            using (device)
            {
                OnOpened(device, reopening, ref backoff);
                error = PlayUntilDisposedOrFailed(device, _renderer!);
                _format = null;
            }

            if (error < 0)
            {
                Log.DeviceFailed(_logger, _options.Device, LibAsound.StrError(error), error);
                reopening = true;
                WaitAfterFailure(ref backoff, $"writing failed: {LibAsound.StrError(error)} ({error})", error);
            }
        }

        CompletePending();
    }

    private void OnOpened(IPcmDevice device, bool reopening, ref ReopenBackoff backoff)
    {
        var format = device.Format;
        // Built once per open for whatever the device agreed to; the gain carries over so a reopen does not jump.
        _renderer = new PlaybackRenderer(
            _options.InputSampleRate, format, device.SampleFormat, _options.VolumeRampMs, _renderer?.CurrentGain ?? Volume);

        _tap = _reference is null ? null : new PlaybackReferenceTap(_reference, format);
        _format = format;
        Log.Opened(_logger, format.Device, format.SampleFormat, format.SampleRate, format.Channels, format.PeriodFrames, format.BufferFrames, SampleRate);
        if (reopening)
        {
            _metrics.RecordReopen(Direction, _options.Device);
        }

        backoff.Reset();
        if (_fault is not null)
        {
            _fault = null;
            Log.Recovered(_logger, _options.Device);
            FaultChanged?.Invoke(this, new AudioDeviceFaultEventArgs(null));
        }

        Opened?.Invoke(this, format);
    }

    /// <summary>A pending <see cref="CompleteReplyAsync"/>: the reply ends at stream position <see cref="EndsAt"/>.</summary>
    private sealed class ReplyCompletion(long endsAt) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long EndsAt { get; } = endsAt;
    }
}
