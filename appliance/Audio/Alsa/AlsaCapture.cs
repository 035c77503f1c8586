using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>
/// Captures from an ALSA PCM on a dedicated thread: reads one period at a time, converts it to float and hands it to the
/// sink. Overruns are recovered with snd_pcm_recover and counted; a device that fails or vanishes (ENODEV, EBADFD, or
/// one that cannot open) is closed and reopened with exponential backoff while <see cref="Fault"/> says why.
/// </summary>
public sealed partial class AlsaCapture : IAudioCapture, IPcmStreamLoop
{
    private const string Direction = "capture";
    private static readonly TimeSpan StopJoinTimeout = TimeSpan.FromSeconds(5);

    private readonly AlsaCaptureOptions _options;
    private readonly PcmReopenSupervisor _supervisor;
    private readonly ILogger _logger;
    private readonly AudioMetrics _metrics;
    private readonly bool _ownsMetrics;
    private readonly ManualResetEventSlim _stopSignal = new(false);

    private Thread? _thread;
    private IAudioFrameSink? _sink;
    private volatile bool _stopRequested;
    private volatile AudioStreamFormat? _format;
    private long _xruns;
    private byte[] _raw = [];
    private float[] _samples = [];

    /// <param name="options">Device and parameters; validated here.</param>
    /// <param name="logger">Where open, xrun and fault events go.</param>
    /// <param name="metrics">Shared instruments; when null a private meter is used.</param>
    public AlsaCapture(AlsaCaptureOptions options, ILogger<AlsaCapture>? logger = null, AudioMetrics? metrics = null)
        : this(options, AlsaPcmOpener.Instance, logger, metrics, TimeProvider.System)
    {
    }

    internal AlsaCapture(AlsaCaptureOptions options, IPcmOpener opener, ILogger? logger, AudioMetrics? metrics, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(opener);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _ownsMetrics = metrics is null;
        _metrics = metrics ?? new AudioMetrics();
        _supervisor = new PcmReopenSupervisor(
            opener,
            new PcmRequest(options.Device, PcmDirection.Capture, options.SampleFormat, options.SampleRate, options.Channels, options.PeriodFrames, options.BufferFrames),
            TimeSpan.FromMilliseconds(options.ReopenInitialDelayMs),
            TimeSpan.FromMilliseconds(options.ReopenMaxDelayMs),
            _metrics,
            time);
    }

    public AudioStreamFormat? Format => _format;

    public AudioDeviceFault? Fault => _supervisor.Fault;

    public long Xruns => Interlocked.Read(ref _xruns);

    public event EventHandler<AudioDeviceFaultEventArgs>? FaultChanged;

    public event EventHandler<AudioStreamFormat>? Opened;

    public void Start(IAudioFrameSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_thread is not null)
        {
            throw new InvalidOperationException($"Capture from '{_options.Device}' is already running; stop it first.");
        }

        _sink = sink;
        _stopRequested = false;
        _stopSignal.Reset();
        _thread = new Thread(Run)
        {
            Name = "alsa-capture",
            IsBackground = true,
            Priority = ThreadPriority.AboveNormal,
        };
        _thread.Start();
    }

    public void Stop()
    {
        var thread = _thread;
        if (thread is null)
        {
            return;
        }

        _stopRequested = true;
        _stopSignal.Set();

        // A blocked snd_pcm_readi returns within a period on a working device; a wedged driver must not hang shutdown.
        if (!thread.Join(StopJoinTimeout))
        {
            Log.StopTimedOut(_logger, _options.Device, StopJoinTimeout.TotalSeconds);
            return;
        }

        _thread = null;
        _format = null;
        Log.Stopped(_logger, _options.Device, Xruns);
    }

    public void Dispose()
    {
        Stop();
        if (_thread is null)
        {
            _stopSignal.Dispose();
        }

        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    private void Run() => _supervisor.Run(this);

    bool IPcmStreamLoop.StopRequested => _stopRequested;

    void IPcmStreamLoop.OnOpened(IPcmDevice device)
    {
        var format = device.Format;
        var samplesPerPeriod = format.PeriodFrames * format.Channels;

        // Sized once per open, never per period.
        if (_samples.Length < samplesPerPeriod)
        {
            _samples = new float[samplesPerPeriod];
            _raw = new byte[samplesPerPeriod * device.SampleFormat.BytesPerSample()];
        }

        _format = format;
        Log.Opened(_logger, format.Device, format.SampleFormat, format.SampleRate, format.Channels, format.PeriodFrames, format.BufferFrames);
        Opened?.Invoke(this, format);
    }

    int IPcmStreamLoop.Stream(IPcmDevice device) => ReadUntilStoppedOrFailed(device);

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

    bool IPcmStreamLoop.WaitBeforeReopen(TimeSpan delay) => !_stopSignal.Wait(delay);

    /// <summary>The per-period loop. Returns 0 when stopped, or the error that ended the stream.</summary>
    private int ReadUntilStoppedOrFailed(IPcmDevice device)
    {
        var format = device.Format;
        var channels = format.Channels;
        var period = format.PeriodFrames;
        var frameBytes = channels * device.SampleFormat.BytesPerSample();
        var raw = _raw.AsSpan(0, period * frameBytes);
        var sink = _sink!;

        while (!_stopRequested)
        {
            // The file plugin past the end of its input reports whole periods without writing them; clearing first
            // makes that silence instead of the previous period again. It costs one memset per period.
            raw.Clear();
            var result = device.Read(raw, period);
            if (result > 0)
            {
                var samples = _samples.AsSpan(0, result * channels);
                PcmSampleConverter.ToFloat(raw[..(result * frameBytes)], device.SampleFormat, samples);
                sink.OnFrames(samples, channels);
                continue;
            }

            if (result == 0 || AlsaErrno.IsTransient(result))
            {
                continue;
            }

            if (!AlsaErrno.IsXrun(result))
            {
                return result;
            }

            Interlocked.Increment(ref _xruns);
            _metrics.RecordXrun(Direction, _options.Device);
            var recovered = device.Recover(result);
            Log.Xrun(_logger, _options.Device, LibAsound.StrError(result), recovered);
            if (recovered < 0)
            {
                return recovered;
            }
        }

        return 0;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3100, Level = LogLevel.Information,
            Message = "Capture opened {Device}: {SampleFormat} {Rate} Hz x{Channels}, period {Period}, buffer {Buffer} frames")]
        public static partial void Opened(ILogger logger, string device, string sampleFormat, int rate, int channels, int period, int buffer);

        [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Capture overrun on {Device} ({Reason}); recover returned {Recovered}")]
        public static partial void Xrun(ILogger logger, string device, string reason, int recovered);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Capture device {Device} failed: {Reason} ({Code}); closing it to reopen")]
        public static partial void DeviceFailed(ILogger logger, string device, string reason, int code);

        [LoggerMessage(EventId = 3103, Level = LogLevel.Warning,
            Message = "Capture device {Device} unavailable: {Reason} (attempt {Attempt}); retrying in {DelayMs} ms")]
        public static partial void OpenFailed(ILogger logger, string device, string reason, int attempt, double delayMs);

        [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Capture device {Device} is back")]
        public static partial void Recovered(ILogger logger, string device);

        [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Capture from {Device} stopped after {Xruns} overruns")]
        public static partial void Stopped(ILogger logger, string device, long xruns);

        [LoggerMessage(EventId = 3106, Level = LogLevel.Error, Message = "Capture thread for {Device} did not stop within {Seconds} s")]
        public static partial void StopTimedOut(ILogger logger, string device, double seconds);
    }
}
