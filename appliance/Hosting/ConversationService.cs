using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Composition;
using StepAudio.Appliance.Hardware.Buttons;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// The live pipeline as a hosted service. Start-up has the <see cref="ConversationEngineFactory"/>
/// load and warm every model and then starts capture, so the host reports READY only once the
/// device can actually hear; the capture thread then drives the listening loop through the
/// <see cref="CaptureFrontEnd"/> and the mute, and the coordinator runs on <see cref="ExecuteAsync"/>.
/// Stopping cancels the turn in flight (its server streams close), fades playback out and releases
/// the models. The rest of the device reaches it only through <see cref="IConversationControl"/>.
/// </summary>
internal sealed partial class ConversationService(
    IAudioCapture capture,
    IAudioOutput output,
    MuteGate mute,
    ISystemdNotifier notifier,
    ConversationEngineFactory engines,
    LiveListeningOptions liveOptions,
    IOptions<HostingOptions> hosting,
    ILogger<ConversationService> logger) : BackgroundService, IAudioFrameSink, IAudioHeartbeat, IConversationControl
{
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConversationEngine? _engine;
    private CaptureInput? _input;
    private IDisposable? _liveChanges;

    /// <inheritdoc />
    public long FramesProcessed => _engine?.Loop.FramesProcessed ?? 0;

    /// <inheritdoc />
    public bool IsRunning => _engine is not null;

    /// <inheritdoc />
    public bool TurnInProgress
    {
        get
        {
            if (_engine is not { Loop: var loop, Coordinator: var coordinator })
            {
                return false;
            }

            if (loop.InTurn || !coordinator.CurrentReply.IsCompleted)
            {
                return true;
            }

            // Between the end of the user's speech and the reply the loop is out of its turn while
            // the coordinator still works on it.
            var turn = loop.TurnId;
            return turn > 0 && !coordinator.WhenTurnFinished(turn).IsCompleted;
        }
    }

    /// <inheritdoc />
    public bool IsSpeaking => _engine?.Coordinator.IsSpeaking ?? false;

    /// <inheritdoc />
    public double NowMs => _engine?.Timeline.NowMs ?? 0;

    /// <inheritdoc />
    public bool RequestTurn()
    {
        if (_engine is not { } engine)
        {
            return false;
        }

        engine.Loop.RequestTurn();
        return true;
    }

    /// <summary>Completes once the latest turn and its reply are over (at once before start).</summary>
    internal async Task WhenSettledAsync()
    {
        if (_engine is { } engine)
        {
            await engine.Coordinator.WhenTurnFinished(engine.Loop.TurnId);

            // The reply is read after the turn: it is the one the turn started.
            await engine.Coordinator.CurrentReply;
        }
    }

    /// <inheritdoc />
    public Task<double> SayAsync(string text, CancellationToken cancellationToken) =>
        _engine is { } engine
            ? engine.Coordinator.SayAsync(text, cancellationToken)
            : throw new InvalidOperationException("The pipeline is not running yet.");

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        Status("loading and warming models");
        _engine = await engines.CreateAsync(output, cancellationToken);
        _liveChanges = liveOptions.Follow(_engine.Loop);
        Status("starting audio capture");
        capture.Opened += OnCaptureOpened;
        capture.FaultChanged += OnCaptureFault;
        capture.Start(this);
        try
        {
            await _firstFrame.Task.WaitAsync(TimeSpan.FromMilliseconds(hosting.Value.CaptureStartTimeoutMs), cancellationToken);
            Status("listening");
        }
        catch (TimeoutException)
        {
            // Report READY anyway: the service is up and keeps reopening the device; STATUS says why it is deaf.
            var fault = capture.Fault?.Message ?? "no audio frames yet";
            Log.CaptureNotFlowing(logger, fault);
            Status($"capture fault: {fault}");
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Status("stopping");
        _liveChanges?.Dispose();
        capture.Stop();
        if (_engine is { Loop: { FramesProcessed: > 0 } loop })
        {
            var perFrameUs = loop.BusyTicks * 1e6 / Stopwatch.Frequency / loop.FramesProcessed;
            Log.LoopCost(logger, loop.FramesProcessed, perFrameUs, perFrameUs * ((double)PipelineAudio.SampleRate / ListeningLoop.FrameSamples) / 1000);
        }

        _engine?.CompleteInput();
        await base.StopAsync(cancellationToken);
        if (output is IAudioPlayback playback)
        {
            await playback.StopAsync(cancellationToken);
        }

        if (_engine is not null)
        {
            await _engine.DisposeAsync();
            _engine = null;
        }
    }

    /// <summary>Runs on the capture thread, one period at a time.</summary>
    public void OnFrames(ReadOnlySpan<float> interleaved, int channels)
    {
        var engine = _engine;
        var input = _input;
        if (engine is null || input is null || input.Channels != channels)
        {
            return;
        }

        var mono16k = input.Process(interleaved, mute.IsMuted);
        engine.Loop.Process(mono16k);
        _firstFrame.TrySetResult();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _engine!.Coordinator.RunAsync(_engine.Signals, stoppingToken);

    private void OnCaptureOpened(object? sender, AudioStreamFormat format)
    {
        // Buffers are sized here, when the device says what it delivers, never per period.
        _input = new CaptureInput(engines.CreateFrontEnd(format));
        Log.CaptureOpened(logger, format.Device, format.SampleRate, format.Channels, format.PeriodFrames);
    }

    private void OnCaptureFault(object? sender, AudioDeviceFaultEventArgs e) =>
        Status(e.Fault is null ? "listening" : $"capture fault: {e.Fault.Message}");

    private void Status(string text)
    {
        if (notifier.IsEnabled)
        {
            notifier.Notify(ServiceStates.Status(text));
        }

        Log.Status(logger, text);
    }

    /// <summary>The front end for one capture format, its output buffer and the mute.</summary>
    private sealed class CaptureInput(CaptureFrontEnd frontEnd)
    {
        private readonly float[] _mono16k = new float[frontEnd.MaxOutputSamples];

        public int Channels => frontEnd.Channels;

        public ReadOnlySpan<float> Process(ReadOnlySpan<float> interleaved, bool muted)
        {
            // A device that delivers more than four periods at once loses the excess rather than stalling the thread.
            var frames = Math.Min(interleaved.Length / frontEnd.Channels, frontEnd.MaxFramesPerCall);
            var mono16k = _mono16k.AsSpan(0, frontEnd.Process(interleaved[..(frames * frontEnd.Channels)], _mono16k));
            if (muted)
            {
                // Muted means deaf: the pipeline hears silence, nothing of the room.
                mono16k.Clear();
            }

            return mono16k;
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

        [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Capture opened: {Device}, {Rate} Hz, {Channels} channel(s), {Period} frames per period")]
        public static partial void CaptureOpened(ILogger logger, string device, int rate, int channels, int period);
    }
}
