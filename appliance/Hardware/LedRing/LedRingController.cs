using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StepAudio.Appliance.Hardware.LedRing;

/// <summary>
/// Drives the LED ring from a timer at <see cref="LedRingOptions.FrameRate"/>. Callers only publish
/// the state (<see cref="SetState"/>: one volatile write, safe from any thread, the audio thread
/// included); every frame is rendered and sent on the timer, so a slow SPI bus never holds up the
/// caller. The animation clock of a state starts at the first frame that shows it. A failing strip is
/// logged once and retried every frame, so a re-seated ring comes back by itself.
/// </summary>
public sealed partial class LedRingController : IDisposable
{
    private readonly ILedStrip _strip;
    private readonly bool _shouldDispose;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly float _brightness;
    private readonly LedColor[] _pixels;
    private readonly ITimer _timer;
    private int _requested;
    private int _rendering;
    private int _disposed;
    private bool _started;
    private DeviceLedState _shown;
    private long _shownSince;
    private bool _failing;

    /// <param name="strip">The LEDs; its <see cref="ILedStrip.Count"/> must match <see cref="LedRingOptions.LedCount"/>.</param>
    /// <param name="options">Brightness and frame rate; validated here.</param>
    /// <param name="timeProvider">Clock and timer for the animation; the system clock when null.</param>
    /// <param name="logger">Where strip failures are logged.</param>
    /// <param name="shouldDispose">True to dispose <paramref name="strip"/> with this controller.</param>
    public LedRingController(
        ILedStrip strip,
        LedRingOptions options,
        TimeProvider? timeProvider = null,
        ILogger<LedRingController>? logger = null,
        bool shouldDispose = true)
    {
        ArgumentNullException.ThrowIfNull(strip);
        ArgumentNullException.ThrowIfNull(options);
        if (strip.Count != options.LedCount)
        {
            throw new ArgumentException(
                $"The strip has {strip.Count} LEDs but {LedRingOptions.SectionName}:{nameof(LedRingOptions.LedCount)} is {options.LedCount}.",
                nameof(strip));
        }

        _strip = strip;
        _shouldDispose = shouldDispose;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _brightness = options.Brightness;
        _pixels = new LedColor[strip.Count];
        _requested = (int)DeviceLedState.Idle;

        var period = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / options.FrameRate);
        _timer = _time.CreateTimer(static s => ((LedRingController)s!).RenderFrame(), this, period, period);
    }

    /// <summary>The state most recently asked for (it shows from the next frame).</summary>
    public DeviceLedState State => (DeviceLedState)Volatile.Read(ref _requested);

    /// <summary>Asks the ring to show <paramref name="state"/> from the next frame. Cheap and lock-free.</summary>
    public void SetState(DeviceLedState state)
    {
        if (!Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "not a DeviceLedState");
        }

        Volatile.Write(ref _requested, (int)state);
    }

    /// <summary>Stops the timer, turns the ring off and, if it owns it, disposes the strip.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer.Dispose();

        // Wait out a frame already on the wire, then keep the render slot so no late tick can start.
        var spin = default(SpinWait);
        while (Interlocked.CompareExchange(ref _rendering, 1, 0) != 0)
        {
            spin.SpinOnce();
        }

        try
        {
            Array.Clear(_pixels);
            _strip.Show(_pixels);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Shutting down: a ring that cannot be darkened is worth a line, not a failed dispose.
            Log.ShowFailed(_logger, ex);
        }

        if (_shouldDispose)
        {
            _strip.Dispose();
        }
    }

    private void RenderFrame()
    {
        // A tick that arrives while the previous frame is still being sent is dropped, not queued.
        if (Interlocked.CompareExchange(ref _rendering, 1, 0) != 0)
        {
            return;
        }

        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            var now = _time.GetTimestamp();
            var state = (DeviceLedState)Volatile.Read(ref _requested);
            if (!_started || state != _shown)
            {
                _started = true;
                _shown = state;
                _shownSince = now;
            }

            LedAnimator.Render(state, _time.GetElapsedTime(_shownSince, now), _brightness, _pixels);
            _strip.Show(_pixels);
            if (_failing)
            {
                _failing = false;
                Log.Recovered(_logger);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The timer thread must survive a flaky bus; log the first failure of a run, retry each frame.
            if (!_failing)
            {
                _failing = true;
                Log.ShowFailed(_logger, ex);
            }
        }
        finally
        {
            Volatile.Write(ref _rendering, 0);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3501, Level = LogLevel.Warning, Message = "LED ring: sending a frame failed; retrying every frame")]
        public static partial void ShowFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3502, Level = LogLevel.Information, Message = "LED ring: frames are getting through again")]
        public static partial void Recovered(ILogger logger);
    }
}
