using System.Device.Spi;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Hardware.LedRing;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Appliance.Tests.Hardware.LedRing;

public sealed class LedRingControllerTests
{
    private const int Count = RingExpectations.Count;

    // 30 frames per second.
    private static readonly TimeSpan Frame = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / 30);

    private readonly ManualTimeProvider _time = new();
    private readonly RecordingSpiDevice _spi = new();

    [Theory]
    [MemberData(nameof(RingExpectations.AllStates), MemberType = typeof(RingExpectations))]
    public void SetState_OnApa102_FirstFrameIsTheStatesExactSpiBytes(DeviceLedState state)
    {
        using var ring = Create(new Apa102Strip(_spi, Count));

        ring.SetState(state);
        _time.Advance(Frame);

        Assert.Equal(RingExpectations.Apa102Frame(RingExpectations.FirstFrame(state)), Assert.Single(_spi.Frames));
    }

    [Theory]
    [MemberData(nameof(RingExpectations.AllStates), MemberType = typeof(RingExpectations))]
    public void SetState_OnWs2812b_FirstFrameEncodesTheStatesColours(DeviceLedState state)
    {
        using var ring = Create(new Ws2812bStrip(_spi, Count));

        ring.SetState(state);
        _time.Advance(Frame);

        Assert.Equal(RingExpectations.FirstFrame(state), RingExpectations.DecodeWs2812b(Assert.Single(_spi.Frames), Count));
    }

    [Fact]
    public void SetState_OnWs2812b_DistinctLooksGiveDistinctFrames()
    {
        using var ring = Create(new Ws2812bStrip(_spi, Count));
        DeviceLedState[] states = [DeviceLedState.Idle, DeviceLedState.Listening, DeviceLedState.Thinking, DeviceLedState.Speaking, DeviceLedState.Muted, DeviceLedState.Offline, DeviceLedState.Updating];

        foreach (var state in states)
        {
            ring.SetState(state);
            _time.Advance(Frame);
        }

        var frames = _spi.Frames.Select(Convert.ToHexString).ToList();
        Assert.Equal(states.Length, frames.Distinct().Count());
        Assert.All(_spi.Frames, f => Assert.NotEmpty(f));
    }

    [Fact]
    public void SetState_WhenCalled_RendersNothingUntilTheTimerTicks()
    {
        using var ring = Create(new Apa102Strip(_spi, Count));

        ring.SetState(DeviceLedState.Listening);
        ring.SetState(DeviceLedState.Thinking);

        Assert.Empty(_spi.Frames);
        Assert.Equal(DeviceLedState.Thinking, ring.State);
        _time.Advance(Frame - TimeSpan.FromTicks(1));
        Assert.Empty(_spi.Frames);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Single(_spi.Frames);
    }

    [Fact]
    public void Timer_WhenASecondPasses_RendersOneFramePerFrameRatePeriod()
    {
        using var ring = Create(new Apa102Strip(_spi, Count));

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(30, _spi.Frames.Count);
    }

    [Fact]
    public void Timer_WhenThinking_CometMovesBetweenFrames()
    {
        using var ring = Create(new Apa102Strip(_spi, Count));
        ring.SetState(DeviceLedState.Thinking);

        _time.Advance(Frame);
        _time.Advance(TimeSpan.FromMilliseconds(250));

        // The animation clock starts at the first frame; 7 frames later is 233 ms in: head on LED 2.
        var last = _spi.LastFrame;
        var headLed = 2;
        Assert.Equal([0xFF, 255, 0, 128], last[(4 + (headLed * 4))..(8 + (headLed * 4))]);
        Assert.NotEqual(_spi.Frames[0], last);
    }

    [Fact]
    public void SetState_WhenStateChanges_AnimationRestartsFromItsFirstFrame()
    {
        using var ring = Create(new Apa102Strip(_spi, Count));
        ring.SetState(DeviceLedState.Offline);
        _time.Advance(TimeSpan.FromMilliseconds(1200));
        Assert.Equal(RingExpectations.Apa102Frame(RingExpectations.Solid(0, 0, 0)), _spi.LastFrame);

        ring.SetState(DeviceLedState.Error);
        _time.Advance(Frame);

        Assert.Equal(RingExpectations.Apa102Frame(RingExpectations.Solid(255, 0, 0)), _spi.LastFrame);
    }

    [Fact]
    public void SetState_WhenSameStateIsSetAgain_AnimationKeepsRunning()
    {
        using var ring = Create(new Apa102Strip(_spi, Count));
        ring.SetState(DeviceLedState.Offline);
        _time.Advance(TimeSpan.FromMilliseconds(1200));

        ring.SetState(DeviceLedState.Offline);
        _time.Advance(Frame);

        Assert.Equal(RingExpectations.Apa102Frame(RingExpectations.Solid(0, 0, 0)), _spi.LastFrame);
    }

    [Fact]
    public void Brightness_FromOptions_ScalesTheFrames()
    {
        using var ring = Create(new Apa102Strip(_spi, Count), brightness: 0.5f);

        ring.SetState(DeviceLedState.Muted);
        _time.Advance(Frame);

        Assert.Equal(RingExpectations.Apa102Frame(RingExpectations.Solid(128, 0, 0)), _spi.LastFrame);
    }

    [Fact]
    public void Timer_WhenTheStripFails_LogsOnceKeepsTryingAndRecovers()
    {
        var logger = new ListLogger<LedRingController>();
        using var ring = Create(new Apa102Strip(_spi, Count), logger: logger);
        ring.SetState(DeviceLedState.Listening);

        _spi.FailWrites(new IOException("SPI transfer failed"));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Empty(_spi.Frames);
        _spi.FailWrites(null);
        _time.Advance(Frame);

        Assert.Single(_spi.Frames);
        Assert.Equal(1, logger.Count(3501));
        Assert.Equal(1, logger.Count(3502));
    }

    [Fact]
    public void Dispose_WhenOwningTheStrip_DarkensTheRingStopsTheTimerAndDisposesIt()
    {
        var ring = Create(new Apa102Strip(_spi, Count));
        ring.SetState(DeviceLedState.Listening);
        _time.Advance(Frame);

        ring.Dispose();
        var written = _spi.Frames.Count;
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(RingExpectations.Apa102Frame(RingExpectations.Solid(0, 0, 0)), _spi.LastFrame);
        Assert.Equal(2, written);
        Assert.Equal(written, _spi.Frames.Count);
        Assert.Equal(0, _time.ArmedTimerCount);
        Assert.True(_spi.IsDisposed);
    }

    [Fact]
    public void Dispose_WhenStripIsShared_LeavesItUsable()
    {
        using var strip = new Apa102Strip(_spi, Count);
        var ring = new LedRingController(strip, Options(), _time, shouldDispose: false);

        ring.Dispose();
        strip.Show(new LedColor[Count]);

        Assert.False(_spi.IsDisposed);
    }

    [Fact]
    public void Constructor_WhenStripSizeDiffersFromOptions_ThrowsNamingBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LedRingController(new Apa102Strip(_spi, 8), Options(), _time));

        Assert.Contains("8 LEDs", ex.Message, StringComparison.Ordinal);
        Assert.Contains("LedCount is 12", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenOptionsAreInvalid_FailsNamingTheField()
    {
        var options = Options();
        options.FrameRate = 0;

        var result = new LedRingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("FrameRate", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void SetState_WhenValueIsNotAState_Throws()
    {
        using var ring = Create(new Apa102Strip(_spi, Count));

        Assert.Throws<ArgumentOutOfRangeException>(() => ring.SetState((DeviceLedState)99));
        Assert.Equal(DeviceLedState.Idle, ring.State);
    }

    private static LedRingOptions Options(float brightness = 1f) => new() { LedCount = Count, Brightness = brightness, FrameRate = 30 };

    private LedRingController Create(ILedStrip strip, float brightness = 1f, ListLogger<LedRingController>? logger = null) =>
        new(strip, Options(brightness), _time, logger);
}
