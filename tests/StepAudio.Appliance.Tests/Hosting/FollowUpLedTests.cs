using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Appliance.Hardware.LedRing;
using StepAudio.Appliance.Hosting;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.Appliance.Tests.Hardware.LedRing;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.TestSupport.Events;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Appliance.Tests.Hosting;

/// <summary>The ring through a conversation with a follow-up and a failed turn, driven by the pipeline's events.</summary>
public sealed class FollowUpLedTests
{
    private static readonly TimeSpan Frame = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / 30);

    private readonly ManualTimeProvider _time = new();
    private readonly RecordingSpiDevice _spi = new();

    [Fact]
    public void OnEvent_WhenAReplyEndsAndAFollowUpFollows_ThenTheRingGlowsDimBlueThenListensThenGoesIdle()
    {
        using var ring = new LedRingController(new Apa102Strip(_spi, RingExpectations.Count), new LedRingOptions { LedCount = RingExpectations.Count, Brightness = 1f, FrameRate = 30 }, _time);
        var sink = new DeviceStatusSink(NullLogger<DeviceStatusSink>.Instance, ring);
        var states = new List<DeviceLedState>();

        foreach (var type in new[]
        {
            PipelineEventTypes.Wake, PipelineEventTypes.EndOfTurn, PipelineEventTypes.FirstAudioOut, PipelineEventTypes.TurnEnd,
            PipelineEventTypes.FollowUpOpen, PipelineEventTypes.FollowUpStart, PipelineEventTypes.TurnEnd,
            PipelineEventTypes.FollowUpOpen, PipelineEventTypes.FollowUpEnd,
        })
        {
            sink.OnEvent(SampleEvents.Of(type));
            states.Add(ring.State);
        }

        Assert.Equal(
            [DeviceLedState.Listening, DeviceLedState.Thinking, DeviceLedState.Speaking, DeviceLedState.Idle,
             DeviceLedState.FollowUp, DeviceLedState.Listening, DeviceLedState.Idle,
             DeviceLedState.FollowUp, DeviceLedState.Idle],
            states);
    }

    [Fact]
    public void OnEvent_WhenTheFollowUpWindowOpens_ThenTheNextFrameIsTheDimBlueGlow()
    {
        using var ring = new LedRingController(new Apa102Strip(_spi, RingExpectations.Count), new LedRingOptions { LedCount = RingExpectations.Count, Brightness = 1f, FrameRate = 30 }, _time);
        var sink = new DeviceStatusSink(NullLogger<DeviceStatusSink>.Instance, ring);

        sink.OnEvent(SampleEvents.Of(PipelineEventTypes.FollowUpOpen));
        _time.Advance(Frame);

        Assert.Equal(RingExpectations.Apa102Frame(RingExpectations.Solid(0, 0, 51)), Assert.Single(_spi.Frames));
    }

    [Fact]
    public void OnEvent_WhenAnOfflinePromptPlays_ThenTheRingShowsOfflineUntilTheNextWake()
    {
        using var ring = new LedRingController(new Apa102Strip(_spi, RingExpectations.Count), new LedRingOptions { LedCount = RingExpectations.Count, Brightness = 1f, FrameRate = 30 }, _time);
        var sink = new DeviceStatusSink(NullLogger<DeviceStatusSink>.Instance, ring);

        sink.OnEvent(SampleEvents.Of(PipelineEventTypes.Error));
        sink.OnEvent(SampleEvents.Of(PipelineEventTypes.OfflinePrompt));
        var afterPrompt = ring.State;
        sink.OnEvent(SampleEvents.Of(PipelineEventTypes.Wake));

        Assert.Equal(DeviceLedState.Offline, afterPrompt);
        Assert.Equal(DeviceLedState.Listening, ring.State);
    }
}
