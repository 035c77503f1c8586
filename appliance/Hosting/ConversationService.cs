using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Composition;
using StepAudio.Appliance.Hardware.Buttons;
using StepAudio.Appliance.Output;
using StepAudio.Appliance.Tools;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Echo;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Pipeline.Turns;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.Engine.WakeWord;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// The live pipeline as a hosted service. Start-up loads and warms every model and starts
/// capture, so the host reports READY only once the device can actually hear; the capture thread
/// then drives the listening loop (channel selection, resampling, mute) and the coordinator runs
/// on <see cref="ExecuteAsync"/>. Stopping cancels the turn in flight (its server streams close),
/// fades playback out and releases the models.
/// </summary>
internal sealed partial class ConversationService : BackgroundService, IAudioFrameSink, IAudioHeartbeat
{
    private readonly IAudioCapture _capture;
    private readonly IAudioOutput _output;
    private readonly MuteGate _mute;
    private readonly ISystemdNotifier _notifier;
    private readonly IPipelineEventSink _events;
    private readonly PipelineMetrics _metrics;
    private readonly IWakeArbiter _arbiter;
    private readonly IOptionsMonitor<WakeWordOptions> _liveWakeWord;
    private readonly IOptionsMonitor<EndpointingOptions> _liveEndpointing;
    private IDisposable? _wakeWordChanges;
    private IDisposable? _endpointingChanges;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ApplianceSettings _settings;
    private readonly ChannelSelectionOptions _channels;
    private readonly HostingOptions _hosting;
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConversationEngine? _engine;
    private FrontEnd? _frontEnd;
    private readonly ApplianceTools? _tools;
    private readonly EchoCancellerOptions _echo;
    private readonly BargeInOptions _bargeIn;
    private readonly PlaybackReference _reference;
    private FullDuplex? _duplex;

    public ConversationService(
        IAudioCapture capture,
        IAudioOutput output,
        MuteGate mute,
        ISystemdNotifier notifier,
        IEnumerable<IPipelineEventSink> events,
        PipelineMetrics metrics,
        ILoggerFactory loggers,
        IOptions<ModelCacheOptions> models,
        IOptions<WakeWordOptions> wakeWord,
        IOptions<EndpointingOptions> endpointing,
        IOptions<TokenizerOptions> tokenizer,
        IOptions<VocoderOptions> vocoder,
        IOptions<GpuServerOptions> server,
        IOptions<VoiceOptions> voice,
        IOptions<ChannelSelectionOptions> channels,
        IOptions<HostingOptions> hosting,
        IWakeArbiter arbiter,
        IOptionsMonitor<WakeWordOptions> liveWakeWord,
        IOptionsMonitor<EndpointingOptions> liveEndpointing,
        IOptions<ConversationOptions> conversation,
        IOptions<OfflinePromptOptions> offlinePrompts,
        IOptions<EchoCancellerOptions> echo,
        IOptions<BargeInOptions> bargeIn,
        PlaybackReference reference,
        ApplianceTools? tools = null)
    {
        _tools = tools;
        _echo = echo.Value;
        _bargeIn = bargeIn.Value;
        _reference = reference;
        _arbiter = arbiter;
        _liveWakeWord = liveWakeWord;
        _liveEndpointing = liveEndpointing;
        _capture = capture;
        _output = output;
        _mute = mute;
        _notifier = notifier;
        _events = new FanOutEventSink([metrics, .. events]);
        _metrics = metrics;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ConversationService>();
        _settings = new ApplianceSettings
        {
            Models = models.Value,
            WakeWord = wakeWord.Value,
            Endpointing = endpointing.Value,
            Tokenizer = tokenizer.Value,
            Vocoder = vocoder.Value,
            GpuServer = server.Value,
            Voice = voice.Value,
            Conversation = conversation.Value,
            OfflinePrompts = offlinePrompts.Value,
        };
        _channels = channels.Value;
        _hosting = hosting.Value;
    }

    /// <inheritdoc />
    public long FramesProcessed => _engine?.Loop.FramesProcessed ?? 0;

    /// <summary>The listening loop, once started (the action button asks it for a turn).</summary>
    public ListeningLoop? Loop => _engine?.Loop;

    /// <summary>The turn coordinator, once started (the fleet's say command speaks through it).</summary>
    public TurnCoordinator? Coordinator => _engine?.Coordinator;

    /// <summary>Input position and wall clock, once started (events from outside a turn are placed on it).</summary>
    public AudioTimeline? Timeline => _engine?.Timeline;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        Status("loading and warming models");
        _duplex = CreateDuplex();
        _engine = await ConversationEngine.CreateAsync(_settings, _output, _events, _loggers, cancellationToken, _arbiter, _hosting.StateDirectory, duplex: _duplex, tools: _tools?.Conversation);
        _metrics.Observe(_engine.Loop);

        // A fleet's threshold or timing change reaches the running loop as a new snapshot: the
        // audio loop never restarts for it.
        _wakeWordChanges = _liveWakeWord.OnChange(_ => ApplyLiveOptions());
        _endpointingChanges = _liveEndpointing.OnChange(_ => ApplyLiveOptions());
        Status("starting audio capture");
        _capture.Opened += OnCaptureOpened;
        _capture.FaultChanged += OnCaptureFault;
        _capture.Start(this);
        try
        {
            await _firstFrame.Task.WaitAsync(TimeSpan.FromMilliseconds(_hosting.CaptureStartTimeoutMs), cancellationToken);
            Status("listening");
        }
        catch (TimeoutException)
        {
            // Report READY anyway: the service is up and keeps reopening the device; STATUS says why it is deaf.
            var fault = _capture.Fault?.Message ?? "no audio frames yet";
            Log.CaptureNotFlowing(_logger, fault);
            Status($"capture fault: {fault}");
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Status("stopping");
        _wakeWordChanges?.Dispose();
        _endpointingChanges?.Dispose();
        _capture.Stop();
        if (_engine is { Loop: { FramesProcessed: > 0 } loop })
        {
            var perFrameUs = loop.BusyTicks * 1e6 / System.Diagnostics.Stopwatch.Frequency / loop.FramesProcessed;
            Log.LoopCost(_logger, loop.FramesProcessed, perFrameUs, perFrameUs * (16000.0 / ListeningLoop.FrameSamples) / 1000);
        }

        _engine?.CompleteInput();
        await base.StopAsync(cancellationToken);
        if (_output is IAudioPlayback playback)
        {
            await playback.StopAsync(cancellationToken);
        }

        if (_engine is not null)
        {
            await _engine.DisposeAsync();
            _engine = null;
        }

        _duplex?.Dispose();
        _duplex = null;
    }

    /// <summary>
    /// Full duplex when the output can be stopped at once (a real speaker): the loop hears the room
    /// through the echo canceller, fed by the reference the playback thread writes, and may barge in.
    /// </summary>
    private FullDuplex? CreateDuplex()
    {
        if (_output is not IInterruptibleOutput interruptible)
        {
            return null;
        }

        var duplex = new FullDuplex(new EchoStage(_echo, _reference), interruptible, _bargeIn, ownsEcho: true);
        Log.DuplexReady(_logger, _echo.Enabled, _echo.FilterLengthMs, _echo.PlaybackDelayMs, _bargeIn.BackchannelMs);
        return duplex;
    }

    private void ApplyLiveOptions()
    {
        _engine?.Loop.UpdateOptions(_liveWakeWord.CurrentValue, _liveEndpointing.CurrentValue);
        Log.OptionsApplied(_logger);
    }

    /// <summary>Runs on the capture thread, one period at a time.</summary>
    public void OnFrames(ReadOnlySpan<float> interleaved, int channels)
    {
        var engine = _engine;
        var frontEnd = _frontEnd;
        if (engine is null || frontEnd is null || frontEnd.Channels != channels)
        {
            return;
        }

        var mono16k = frontEnd.Process(interleaved, _mute.IsMuted);
        engine.Loop.Process(mono16k);
        _firstFrame.TrySetResult();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _engine!.Coordinator.RunAsync(_engine.Signals, stoppingToken);

    private void OnCaptureOpened(object? sender, AudioStreamFormat format)
    {
        // Buffers are sized here, when the device says what it delivers, never per period.
        _frontEnd = new FrontEnd(ChannelSelection.FromOptions(_channels, format.Channels, format.SampleRate), format);
        Log.CaptureOpened(_logger, format.Device, format.SampleRate, format.Channels, format.PeriodFrames);
    }

    private void OnCaptureFault(object? sender, AudioDeviceFaultEventArgs e) =>
        Status(e.Fault is null ? "listening" : $"capture fault: {e.Fault.Message}");

    private void Status(string text)
    {
        if (_notifier.IsEnabled)
        {
            _notifier.Notify(ServiceStates.Status(text));
        }

        Log.Status(_logger, text);
    }

    /// <summary>Channel selection, mute and resampling to 16 kHz, with buffers for one capture format.</summary>
    private sealed class FrontEnd
    {
        private readonly ChannelSelection _selection;
        private readonly PolyphaseResampler? _resampler;
        private readonly float[] _mono;
        private readonly float[] _mono16k;

        public FrontEnd(ChannelSelection selection, AudioStreamFormat format)
        {
            _selection = selection;
            Channels = format.Channels;
            var period = Math.Max(format.PeriodFrames, 1) * 4;
            _mono = new float[period];
            if (format.SampleRate != 16000)
            {
                _resampler = new PolyphaseResampler(format.SampleRate, 16000);
                _mono16k = new float[_resampler.MaxOutputFor(period)];
            }
            else
            {
                _mono16k = _mono;
            }
        }

        public int Channels { get; }

        public ReadOnlySpan<float> Process(ReadOnlySpan<float> interleaved, bool muted)
        {
            var frames = interleaved.Length / Channels;
            var mono = _mono.AsSpan(0, Math.Min(frames, _mono.Length));
            var written = _selection.Process(interleaved[..(mono.Length * Channels)], mono);
            mono = mono[..written];
            if (muted)
            {
                // Muted means deaf: the pipeline hears silence, nothing of the room.
                mono.Clear();
            }

            if (_resampler is null)
            {
                return mono;
            }

            var count = _resampler.Process(mono, _mono16k);
            return _mono16k.AsSpan(0, count);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Status: {Status}")]
        public static partial void Status(ILogger logger, string status);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Audio capture is not delivering frames: {Fault}. Reporting ready; the device keeps retrying.")]
        public static partial void CaptureNotFlowing(ILogger logger, string fault);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Listening loop: {Frames} frames, {PerFrameUs:F1} us per 32 ms frame, {MsPerSecond:F2} ms of CPU per second of audio")]
        public static partial void LoopCost(ILogger logger, long frames, double perFrameUs, double msPerSecond);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "New wake word and endpointing settings applied to the running loop")]
        public static partial void OptionsApplied(ILogger logger);

        [LoggerMessage(EventId = 3006, Level = LogLevel.Information,
            Message = "Full duplex: echo cancellation {Enabled} ({FilterMs} ms filter, {DelayMs} ms playback delay); speech over {BackchannelMs} ms barges in")]
        public static partial void DuplexReady(ILogger logger, bool enabled, int filterMs, int delayMs, int backchannelMs);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Capture opened: {Device}, {Rate} Hz, {Channels} channel(s), {Period} frames per period")]
        public static partial void CaptureOpened(ILogger logger, string device, int rate, int channels, int period);
    }
}
