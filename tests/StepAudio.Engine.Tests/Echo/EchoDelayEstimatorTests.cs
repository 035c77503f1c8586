using StepAudio.Engine.Echo;
using StepAudio.TestSupport.Room;

namespace StepAudio.Engine.Tests.Echo;

public sealed class EchoDelayEstimatorTests
{
    [Theory]
    [InlineData(320)]
    [InlineData(1377)]
    public void Estimate_WhenReplyPlaysThroughRoom_FindsTheDirectPathWithin2Samples(int delaySamples)
    {
        var reply = RoomEcho.Reply(2)[..(3 * 16000)];
        var room = new SimulatedRoom(RoomImpulseResponse.Synthesize(delaySamples, seed: 5));
        var captured = new float[reply.Length];
        for (var offset = 0; offset < reply.Length; offset += 512)
        {
            var count = Math.Min(512, reply.Length - offset);
            room.Capture(reply.AsSpan(offset, count), captured.AsSpan(offset, count));
        }

        var estimate = EchoDelayEstimator.Estimate(reply, captured, maxDelaySamples: 4000);

        Assert.InRange(estimate.DelaySamples, delaySamples - 2, delaySamples + 2);
        Assert.True(estimate.Correlation > 0.3, $"correlation {estimate.Correlation:F2}");
    }

    [Fact]
    public void Estimate_WhenPlayedAudioIsSilent_ThrowsSayingSo()
    {
        var error = Assert.Throws<ArgumentException>(() => EchoDelayEstimator.Estimate(new float[8000], new float[9000], 500));

        Assert.Contains("silent", error.Message, StringComparison.Ordinal);
    }
}
