using System.Device.Gpio;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>
/// A GPIO chip in memory: pins hold a level the test sets with <see cref="SetLevel"/>, and every level
/// change raises the registered edge callbacks on the test's thread, as the kernel driver would on its
/// event thread. Use it through <c>new GpioController(fakeDriver)</c>.
/// </summary>
public sealed class FakeGpioDriver : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, FakePin> _pins = [];
    private readonly HashSet<int> _open = [];
    private readonly bool _hasPullResistors;

    /// <param name="hasPullResistors">False models a chip without internal pull-up/pull-down.</param>
    public FakeGpioDriver(bool hasPullResistors = true)
    {
        _hasPullResistors = hasPullResistors;
    }

    public bool IsDisposed { get; private set; }

    protected override int PinCount => 64;

    /// <summary>Whether <paramref name="pin"/> is open on the chip.</summary>
    public bool IsOpen(int pin)
    {
        lock (_gate)
        {
            return _open.Contains(pin);
        }
    }

    /// <summary>The mode last set on <paramref name="pin"/>.</summary>
    public PinMode ModeOf(int pin) => Pin(pin).Mode;

    /// <summary>How many edge callbacks are registered on <paramref name="pin"/>.</summary>
    public int CallbackCount(int pin)
    {
        lock (_gate)
        {
            return Pin(pin).Callbacks.Count;
        }
    }

    /// <summary>Drives <paramref name="pin"/> to <paramref name="level"/>; a change raises a rising or falling edge.</summary>
    public void SetLevel(int pin, PinValue level)
    {
        (PinEventTypes Types, PinChangeEventHandler Handler)[] callbacks;
        PinEventTypes edge;
        lock (_gate)
        {
            var state = Pin(pin);
            if (state.Level == level)
            {
                return;
            }

            state.Level = level;
            edge = level == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            callbacks = [.. state.Callbacks];
        }

        foreach (var (types, handler) in callbacks)
        {
            if ((types & edge) != 0)
            {
                handler(this, new PinValueChangedEventArgs(edge, pin));
            }
        }
    }

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            _open.Add(pinNumber);
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _open.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => Pin(pinNumber).Mode = mode;

    protected override PinMode GetPinMode(int pinNumber) => Pin(pinNumber).Mode;

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.Output || (_hasPullResistors && mode is PinMode.InputPullUp or PinMode.InputPullDown);

    protected override PinValue Read(int pinNumber) => Pin(pinNumber).Level;

    protected override void Write(int pinNumber, PinValue value) => SetLevel(pinNumber, value);

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        using var arrived = new ManualResetEventSlim();
        var result = new WaitForEventResult { TimedOut = true };
        void OnEdge(object sender, PinValueChangedEventArgs e)
        {
            result = new WaitForEventResult { EventTypes = e.ChangeType, TimedOut = false };
            arrived.Set();
        }

        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, OnEdge);
        try
        {
            arrived.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // A cancelled wait reports a time-out, as the real drivers do.
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, OnEdge);
        }

        return result;
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            Pin(pinNumber).Callbacks.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            Pin(pinNumber).Callbacks.RemoveAll(c => c.Handler == callback);
        }
    }

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
    }

    private FakePin Pin(int pin)
    {
        lock (_gate)
        {
            if (!_pins.TryGetValue(pin, out var state))
            {
                state = new FakePin();
                _pins.Add(pin, state);
            }

            return state;
        }
    }

    private sealed class FakePin
    {
        // Idle level of an active-low button behind a pull-up.
        public PinValue Level { get; set; } = PinValue.High;

        public PinMode Mode { get; set; } = PinMode.Input;

        public List<(PinEventTypes Types, PinChangeEventHandler Handler)> Callbacks { get; } = [];
    }
}
