using StepAudio.Appliance.Hardware.LedRing;

namespace StepAudio.Appliance.Tests.Hardware.LedRing;

public sealed class LedAnimatorTests
{
    private const int Count = RingExpectations.Count;

    [Theory]
    [MemberData(nameof(RingExpectations.AllStates), MemberType = typeof(RingExpectations))]
    public void Render_WhenStateBegins_ShowsTheDesignedFirstFrame(DeviceLedState state)
    {
        Assert.Equal(RingExpectations.FirstFrame(state), Render(state, 0));
    }

    [Fact]
    public void Render_WhenBrightnessIsHalf_ScalesEveryChannel()
    {
        Assert.Equal(RingExpectations.Solid(0, 0, 128), Render(DeviceLedState.Listening, 0, brightness: 0.5f));
        Assert.Equal(RingExpectations.Solid(128, 48, 0), Render(DeviceLedState.Offline, 0, brightness: 0.5f));
    }

    [Fact]
    public void Render_WhenBrightnessIsZero_RingIsDarkInEveryState()
    {
        foreach (var state in Enum.GetValues<DeviceLedState>())
        {
            Assert.All(Render(state, 0, brightness: 0f), p => Assert.Equal(LedColor.Off, p));
        }
    }

    [Fact]
    public void Render_WhenThinking_CometHeadMovesOneLedPerTwelfthOfARevolution()
    {
        // 1000 ms per revolution over 12 LEDs: LED 1 from 84 ms, LED 3 at 250 ms, back to 0 at 1000 ms.
        Assert.Equal(0, HeadOf(Render(DeviceLedState.Thinking, 83)));
        Assert.Equal(1, HeadOf(Render(DeviceLedState.Thinking, 84)));
        Assert.Equal(3, HeadOf(Render(DeviceLedState.Thinking, 250)));
        Assert.Equal(11, HeadOf(Render(DeviceLedState.Thinking, 999)));
        Assert.Equal(RingExpectations.FirstFrame(DeviceLedState.Thinking), Render(DeviceLedState.Thinking, 1000));
    }

    [Fact]
    public void Render_WhenThinking_TailFollowsTheHeadAcrossTheWrap()
    {
        var frame = Render(DeviceLedState.Thinking, 250);

        Assert.Equal(new LedColor(96, 0, 191), frame[2]);
        Assert.Equal(new LedColor(64, 0, 128), frame[1]);
        Assert.Equal(new LedColor(32, 0, 64), frame[0]);
        Assert.Equal(LedColor.Off, frame[11]);
    }

    [Fact]
    public void Render_WhenSpeaking_BrightnessRisesToFullAtHalfPeriodAndFallsBack()
    {
        var levels = new List<byte>();
        for (var ms = 0; ms <= 1200; ms += 100)
        {
            var frame = Render(DeviceLedState.Speaking, ms);
            Assert.All(frame, p => Assert.Equal(frame[0], p));
            Assert.Equal(frame[0].G, frame[0].B);
            Assert.Equal(0, frame[0].R);
            levels.Add(frame[0].G);
        }

        Assert.Equal(64, levels[0]);
        Assert.Equal(255, levels[6]);
        Assert.Equal(64, levels[12]);
        for (var i = 1; i <= 6; i++)
        {
            Assert.True(levels[i] > levels[i - 1], $"pulse should rise at {i * 100} ms");
            Assert.Equal(levels[i], levels[12 - i]);
        }
    }

    [Fact]
    public void Render_WhenOffline_BlinksAmberOncePerTwoSeconds()
    {
        Assert.Equal(RingExpectations.Solid(255, 96, 0), Render(DeviceLedState.Offline, 999));
        Assert.Equal(RingExpectations.Solid(0, 0, 0), Render(DeviceLedState.Offline, 1000));
        Assert.Equal(RingExpectations.Solid(0, 0, 0), Render(DeviceLedState.Offline, 1999));
        Assert.Equal(RingExpectations.Solid(255, 96, 0), Render(DeviceLedState.Offline, 2000));
    }

    [Fact]
    public void Render_WhenError_BlinksRedFiveTimesASecond()
    {
        var onFrames = 0;
        for (var ms = 0; ms < 1000; ms += 50)
        {
            var frame = Render(DeviceLedState.Error, ms);
            var on = frame[0] == new LedColor(255, 0, 0);
            Assert.Equal(ms % 400 < 200, on);
            onFrames += on ? 1 : 0;
        }

        Assert.Equal(12, onFrames);
    }

    [Fact]
    public void Render_WhenUpdating_SegmentSpinsOncePerOneAndAHalfSeconds()
    {
        // 1500 ms over 12 LEDs: one step per 125 ms; the three-LED segment ends at the head.
        var frame = Render(DeviceLedState.Updating, 500);

        for (var i = 0; i < Count; i++)
        {
            var lit = i is 4 or 3 or 2;
            Assert.Equal(lit ? new LedColor(0, 255, 0) : new LedColor(0, 32, 0), frame[i]);
        }

        Assert.Equal(RingExpectations.FirstFrame(DeviceLedState.Updating), Render(DeviceLedState.Updating, 1500));
    }

    [Fact]
    public void Render_WhenStaticStates_DoNotChangeOverTime()
    {
        foreach (var state in new[] { DeviceLedState.Idle, DeviceLedState.Listening, DeviceLedState.Muted })
        {
            Assert.Equal(Render(state, 0), Render(state, 12_345));
        }
    }

    [Fact]
    public void Render_WhenRingHasOneLed_EveryStateStillRenders()
    {
        var pixel = new LedColor[1];
        LedAnimator.Render(DeviceLedState.Thinking, TimeSpan.FromMilliseconds(700), 1f, pixel);
        Assert.Equal(new LedColor(128, 0, 255), pixel[0]);

        LedAnimator.Render(DeviceLedState.Updating, TimeSpan.FromMilliseconds(700), 1f, pixel);
        Assert.Equal(new LedColor(0, 255, 0), pixel[0]);
    }

    [Fact]
    public void Render_WhenStateIsUnknown_Throws()
    {
        var pixels = new LedColor[Count];

        Assert.Throws<ArgumentOutOfRangeException>(() => LedAnimator.Render((DeviceLedState)42, TimeSpan.Zero, 1f, pixels));
    }

    private static LedColor[] Render(DeviceLedState state, int ms, float brightness = 1f)
    {
        var pixels = new LedColor[Count];
        LedAnimator.Render(state, TimeSpan.FromMilliseconds(ms), brightness, pixels);
        return pixels;
    }

    private static int HeadOf(LedColor[] frame) => Array.IndexOf(frame, new LedColor(128, 0, 255));
}
