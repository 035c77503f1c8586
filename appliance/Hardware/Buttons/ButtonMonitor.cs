using System.Device.Gpio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StepAudio.Appliance.Hardware.Buttons;

/// <summary>
/// Reads the mute and action buttons through a <see cref="GpioController"/>. Edges arrive on the
/// driver's thread; a level only counts once the pin has stayed there for
/// <see cref="ButtonOptions.DebounceMs"/> (a settle timer restarted by every edge), so contact chatter
/// and single glitches never reach the events. Mute toggles on press; the action button gives
/// <see cref="ActionPressed"/> on release of a short press and <see cref="ActionLongPressed"/> as soon as
/// it has been held for <see cref="ButtonOptions.LongPressMs"/>. Events are raised on timer threads,
/// never under a lock, and a failing handler is logged without stopping the monitor.
/// </summary>
public sealed partial class ButtonMonitor : IDisposable
{
    private readonly GpioController _controller;
    private readonly bool _shouldDispose;
    private readonly MuteGate _muteGate;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _activeLow;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan _longPress;
    private readonly DebouncedButton _mute;
    private readonly DebouncedButton _action;
    private readonly ITimer _longPressTimer;
    private readonly PinChangeEventHandler _onEdge;
    private readonly Lock _gate = new();
    // A press of the action button seen from its start whose outcome (short or long) is still open;
    // a button already held when the monitor starts never becomes one.
    private bool _actionPressOpen;
    private bool _disposed;

    /// <summary>
    /// Opens both pins as inputs (with the internal pull resistor that matches the polarity when the
    /// driver has one) and starts listening for edges.
    /// </summary>
    /// <param name="controller">The GPIO controller both buttons are wired to.</param>
    /// <param name="options">Pins, polarity and timings; validated here.</param>
    /// <param name="muteGate">The software mute the mute button toggles.</param>
    /// <param name="timeProvider">Clock for debouncing and long presses; the system clock when null.</param>
    /// <param name="logger">Where button activity is logged.</param>
    /// <param name="shouldDispose">True to dispose <paramref name="controller"/> with this monitor.</param>
    public ButtonMonitor(
        GpioController controller,
        ButtonOptions options,
        MuteGate muteGate,
        TimeProvider? timeProvider = null,
        ILogger<ButtonMonitor>? logger = null,
        bool shouldDispose = true)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(muteGate);

        _controller = controller;
        _shouldDispose = shouldDispose;
        _muteGate = muteGate;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _activeLow = options.ActiveLow;
        _debounce = TimeSpan.FromMilliseconds(options.DebounceMs);
        _longPress = TimeSpan.FromMilliseconds(options.LongPressMs);
        _onEdge = OnEdge;

        _mute = new DebouncedButton(options.MutePin, ButtonRole.Mute);
        _action = new DebouncedButton(options.ActionPin, ButtonRole.Action);
        _longPressTimer = _time.CreateTimer(static s => ((ButtonMonitor)s!).OnLongPressDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            Attach(_mute);
            Attach(_action);
        }
        catch
        {
            Detach(_mute);
            Detach(_action);
            _longPressTimer.Dispose();
            throw;
        }

        Log.Ready(_logger, options.MutePin, options.ActionPin, _activeLow ? "active low" : "active high");
    }

    /// <summary>Raised with the new state each time the mute button toggles the <see cref="MuteGate"/>.</summary>
    public event Action<bool>? MuteChanged;

    /// <summary>Raised when the action button is released before a long press.</summary>
    public event Action? ActionPressed;

    /// <summary>Raised once per press when the action button has been held for the long-press time.</summary>
    public event Action? ActionLongPressed;

    /// <summary>The debounced state of the action button.</summary>
    public bool IsActionHeld
    {
        get
        {
            lock (_gate)
            {
                return _action.StablePressed;
            }
        }
    }

    /// <summary>Stops listening, closes the pins this monitor opened and, if it owns it, the controller.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        Detach(_mute);
        Detach(_action);
        _longPressTimer.Dispose();
        if (_shouldDispose)
        {
            _controller.Dispose();
        }
    }

    private void Attach(DebouncedButton button)
    {
        if (!_controller.IsPinOpen(button.Pin))
        {
            var pull = _activeLow ? PinMode.InputPullUp : PinMode.InputPullDown;
            _controller.OpenPin(button.Pin, _controller.IsPinModeSupported(button.Pin, pull) ? pull : PinMode.Input);
            button.OpenedHere = true;
        }

        // A button already held at start is not a press: the first press is the next one.
        button.RawPressed = button.StablePressed = IsPressedLevel(_controller.Read(button.Pin));
        button.SettleTimer = _time.CreateTimer(s => OnSettled((DebouncedButton)s!), button, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _controller.RegisterCallbackForPinValueChangedEvent(button.Pin, PinEventTypes.Rising | PinEventTypes.Falling, _onEdge);
        button.CallbackRegistered = true;
    }

    private void Detach(DebouncedButton button)
    {
        if (button.CallbackRegistered)
        {
            _controller.UnregisterCallbackForPinValueChangedEvent(button.Pin, _onEdge);
            button.CallbackRegistered = false;
        }

        button.SettleTimer?.Dispose();
        if (button.OpenedHere && _controller.IsPinOpen(button.Pin))
        {
            _controller.ClosePin(button.Pin);
            button.OpenedHere = false;
        }
    }

    private bool IsPressedLevel(PinValue value) => _activeLow ? value == PinValue.Low : value == PinValue.High;

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        var button = e.PinNumber == _mute.Pin ? _mute : e.PinNumber == _action.Pin ? _action : null;
        if (button is null)
        {
            return;
        }

        var pressed = _activeLow ? e.ChangeType == PinEventTypes.Falling : e.ChangeType == PinEventTypes.Rising;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            button.RawPressed = pressed;
            button.LastEdgeTimestamp = _time.GetTimestamp();
            button.SettleTimer!.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnSettled(DebouncedButton button)
    {
        bool pressed;
        var shortPress = false;
        lock (_gate)
        {
            if (_disposed || button.RawPressed == button.StablePressed)
            {
                return;
            }

            button.StablePressed = pressed = button.RawPressed;
            if (button.Role == ButtonRole.Action)
            {
                if (pressed)
                {
                    _actionPressOpen = true;
                    _action.PressedAtTimestamp = button.LastEdgeTimestamp;
                    ArmLongPress();
                }
                else
                {
                    _longPressTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    shortPress = _actionPressOpen;
                    _actionPressOpen = false;
                }
            }
        }

        if (button.Role == ButtonRole.Mute && pressed)
        {
            bool muted;
            try
            {
                muted = _muteGate.Toggle();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The gate flips before it reports; a failing gate subscriber leaves the flip in place.
                Log.HandlerFailed(_logger, nameof(MuteGate.MutedChanged), ex);
                muted = _muteGate.IsMuted;
            }

            Log.MuteToggled(_logger, muted);
            RaiseMuteChanged(muted);
        }
        else if (shortPress)
        {
            Log.ActionPressed(_logger);
            Raise(ActionPressed, nameof(ActionPressed));
        }
    }

    private void OnLongPressDue()
    {
        lock (_gate)
        {
            if (_disposed || !_action.StablePressed || !_actionPressOpen)
            {
                return;
            }

            // A timer may run late or, after a quick release and press, belong to the previous press:
            // the press's own start time decides, and an early call re-arms for the rest.
            if (_time.GetElapsedTime(_action.PressedAtTimestamp) < _longPress)
            {
                ArmLongPress();
                return;
            }

            _actionPressOpen = false;
        }

        Log.ActionLongPressed(_logger);
        Raise(ActionLongPressed, nameof(ActionLongPressed));
    }

    private void ArmLongPress()
    {
        var remaining = _longPress - _time.GetElapsedTime(_action.PressedAtTimestamp);
        _longPressTimer.Change(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void Raise(Action? handler, string name)
    {
        try
        {
            handler?.Invoke();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Handlers run on a timer thread: an escaping exception would end the process, and one
            // broken subscriber must not stop the buttons.
            Log.HandlerFailed(_logger, name, ex);
        }
    }

    private void RaiseMuteChanged(bool muted)
    {
        try
        {
            MuteChanged?.Invoke(muted);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.HandlerFailed(_logger, nameof(MuteChanged), ex);
        }
    }
}
