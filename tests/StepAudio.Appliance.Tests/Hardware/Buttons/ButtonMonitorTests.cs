using System.Device.Gpio;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Hardware.Buttons;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Appliance.Tests.Hardware.Buttons;

public sealed class ButtonMonitorTests
{
    private const int Mute = 17;
    private const int Action = 27;

    private readonly FakeGpioDriver _driver = new();
    private readonly ManualTimeProvider _time = new();
    private readonly MuteGate _gate = new();
    private readonly List<bool> _muteChanges = [];
    private int _shortPresses;
    private int _longPresses;

    [Fact]
    public void Constructor_WhenCreated_OpensBothPinsWithPullUpsAndListensForBothEdges()
    {
        using var monitor = Create();

        Assert.True(_driver.IsOpen(Mute));
        Assert.True(_driver.IsOpen(Action));
        Assert.Equal(PinMode.InputPullUp, _driver.ModeOf(Mute));
        Assert.Equal(PinMode.InputPullUp, _driver.ModeOf(Action));
        Assert.Equal(1, _driver.CallbackCount(Mute));
        Assert.Equal(1, _driver.CallbackCount(Action));
    }

    [Fact]
    public void Constructor_WhenChipHasNoPullResistors_OpensPlainInputs()
    {
        var driver = new FakeGpioDriver(hasPullResistors: false);
        using var monitor = new ButtonMonitor(new GpioController(driver), new ButtonOptions(), _gate, _time);

        Assert.Equal(PinMode.Input, driver.ModeOf(Mute));
    }

    [Fact]
    public void Validate_WhenBothButtonsShareAPin_FailsNamingTheField()
    {
        var options = new ButtonOptions { MutePin = 5, ActionPin = 5 };

        var result = new ButtonOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("ActionPin", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenLongPressNotLongerThanDebounce_FailsNamingTheField()
    {
        var options = new ButtonOptions { DebounceMs = 200, LongPressMs = 150 };

        var result = new ButtonOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("LongPressMs", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void MutePress_WhenLevelSettles_TogglesTheGateAndReportsIt()
    {
        using var monitor = Create();

        Press(Mute);
        _time.Advance(29);
        Assert.Empty(_muteChanges);
        _time.Advance(1);

        Assert.Equal([true], _muteChanges);
        Assert.True(_gate.IsMuted);
    }

    [Fact]
    public void MutePress_WhenPressedAgain_Unmutes()
    {
        using var monitor = Create();

        Tap(Mute, holdMs: 100);
        Tap(Mute, holdMs: 100);

        Assert.Equal([true, false], _muteChanges);
        Assert.False(_gate.IsMuted);
    }

    [Fact]
    public void MutePress_WhenContactsChatterWithinTheWindow_CountsOnce()
    {
        using var monitor = Create();

        for (var i = 0; i < 5; i++)
        {
            Press(Mute);
            _time.Advance(4);
            Release(Mute);
            _time.Advance(4);
        }

        Press(Mute);
        _time.Advance(100);

        Assert.Equal([true], _muteChanges);
    }

    [Fact]
    public void MutePress_WhenGlitchIsShorterThanDebounce_IsIgnored()
    {
        using var monitor = Create();

        Press(Mute);
        _time.Advance(10);
        Release(Mute);
        _time.Advance(500);

        Assert.Empty(_muteChanges);
        Assert.False(_gate.IsMuted);
    }

    [Fact]
    public void MutePress_WhenMuted_CaptureFramesAreZeroed()
    {
        using var monitor = Create();
        float[] frame = [0.3f, -0.7f, 0.1f];

        Tap(Mute, holdMs: 80);
        var zeroed = _gate.Apply<float>(frame);

        Assert.True(zeroed);
        Assert.Equal([0f, 0f, 0f], frame);
    }

    [Fact]
    public void ActionPress_WhenReleasedBeforeLongPress_RaisesShortPressOnRelease()
    {
        using var monitor = Create();

        Press(Action);
        _time.Advance(300);
        Assert.True(monitor.IsActionHeld);
        Assert.Equal(0, _shortPresses);
        Release(Action);
        _time.Advance(30);

        Assert.Equal(1, _shortPresses);
        Assert.Equal(0, _longPresses);
        Assert.False(monitor.IsActionHeld);
    }

    [Fact]
    public void ActionPress_WhenHeldToTheThreshold_RaisesLongPressWhileStillHeld()
    {
        using var monitor = Create();

        Press(Action);
        _time.Advance(799);
        Assert.Equal(0, _longPresses);
        _time.Advance(1);

        Assert.Equal(1, _longPresses);
        Assert.True(monitor.IsActionHeld);
    }

    [Fact]
    public void ActionPress_WhenHeldLongAndReleased_RaisesOneLongPressAndNoShortPress()
    {
        using var monitor = Create();

        Press(Action);
        _time.Advance(5000);
        Release(Action);
        _time.Advance(100);

        Assert.Equal(1, _longPresses);
        Assert.Equal(0, _shortPresses);
    }

    [Fact]
    public void ActionPress_WhenThePressChatters_CountsFromTheLastEdge()
    {
        using var monitor = Create();

        Press(Action);
        _time.Advance(5);
        Release(Action);
        _time.Advance(5);
        Press(Action);
        _time.Advance(799);
        Assert.Equal(0, _longPresses);
        _time.Advance(1);

        Assert.Equal(1, _longPresses);
    }

    [Fact]
    public void ActionPress_AfterALongPress_NextShortPressIsShort()
    {
        using var monitor = Create();

        Tap(Action, holdMs: 1000);
        Tap(Action, holdMs: 100);

        Assert.Equal(1, _longPresses);
        Assert.Equal(1, _shortPresses);
    }

    [Fact]
    public void ActionButton_WhenHeldAtStart_ItsReleaseIsNotAPress()
    {
        _driver.SetLevel(Action, PinValue.Low);
        using var monitor = Create();

        _time.Advance(2000);
        Release(Action);
        _time.Advance(100);

        Assert.Equal(0, _shortPresses);
        Assert.Equal(0, _longPresses);
    }

    [Fact]
    public void ActiveHigh_WhenPinGoesHigh_CountsAsPress()
    {
        _driver.SetLevel(Mute, PinValue.Low);
        _driver.SetLevel(Action, PinValue.Low);
        using var monitor = Create(new ButtonOptions { ActiveLow = false });

        Assert.Equal(PinMode.InputPullDown, _driver.ModeOf(Mute));
        _driver.SetLevel(Action, PinValue.High);
        _time.Advance(100);
        _driver.SetLevel(Action, PinValue.Low);
        _time.Advance(100);

        Assert.Equal(1, _shortPresses);
    }

    [Fact]
    public void Handler_WhenItThrows_IsLoggedAndTheMonitorKeepsWorking()
    {
        var logger = new ListLogger<ButtonMonitor>();
        using var monitor = Create(logger: logger);
        monitor.ActionPressed += () => throw new InvalidOperationException("subscriber bug");

        Tap(Action, holdMs: 100);
        Tap(Mute, holdMs: 100);

        Assert.Equal(1, logger.Count(3405));
        Assert.Equal([true], _muteChanges);
    }

    [Fact]
    public void MutePress_WhenAGateSubscriberThrows_MuteStillTogglesAndIsReported()
    {
        var logger = new ListLogger<ButtonMonitor>();
        using var monitor = Create(logger: logger);
        _gate.MutedChanged += _ => throw new InvalidOperationException("subscriber bug");

        Tap(Mute, holdMs: 100);

        Assert.True(_gate.IsMuted);
        Assert.Equal([true], _muteChanges);
        Assert.Equal(1, logger.Count(3405));
    }

    [Fact]
    public void Dispose_WhenOwningTheController_RemovesCallbacksClosesPinsAndDisposesTheDriver()
    {
        var monitor = Create();
        Press(Mute);

        monitor.Dispose();
        _time.Advance(100);
        _driver.SetLevel(Mute, PinValue.High);

        Assert.Empty(_muteChanges);
        Assert.Equal(0, _time.ArmedTimerCount);
        Assert.Equal(0, _driver.CallbackCount(Mute));
        Assert.Equal(0, _driver.CallbackCount(Action));
        Assert.True(_driver.IsDisposed);
    }

    [Fact]
    public void Dispose_WhenControllerIsShared_LeavesItOpenAndClosesOnlyItsOwnPins()
    {
        using var controller = new GpioController(_driver);
        controller.OpenPin(Action, PinMode.InputPullUp);
        var monitor = new ButtonMonitor(controller, new ButtonOptions(), _gate, _time, shouldDispose: false);

        monitor.Dispose();

        Assert.False(_driver.IsDisposed);
        Assert.False(controller.IsPinOpen(Mute));
        Assert.True(controller.IsPinOpen(Action));
        Assert.Equal(0, _driver.CallbackCount(Action));
    }

    private ButtonMonitor Create(ButtonOptions? options = null, ListLogger<ButtonMonitor>? logger = null)
    {
        var monitor = new ButtonMonitor(new GpioController(_driver), options ?? new ButtonOptions(), _gate, _time, logger);
        monitor.MuteChanged += _muteChanges.Add;
        monitor.ActionPressed += () => _shortPresses++;
        monitor.ActionLongPressed += () => _longPresses++;
        return monitor;
    }

    private void Press(int pin) => _driver.SetLevel(pin, PinValue.Low);

    private void Release(int pin) => _driver.SetLevel(pin, PinValue.High);

    private void Tap(int pin, int holdMs)
    {
        Press(pin);
        _time.Advance(holdMs);
        Release(pin);
        _time.Advance(100);
    }
}
