using Microsoft.Extensions.Options;
using StepAudio.Engine.Echo;
using StepAudio.TestSupport.Room;
using Xunit.Abstractions;
using StepAudio.TestSupport.Allocation;

namespace StepAudio.Engine.Tests.Echo;

public sealed class EchoCancellerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0, 480)]
    [InlineData(1, 960)]
    [InlineData(2, 1600)]
    public void Process_WhenReplyPlaysThroughRoom_RemovesAtLeast15DbOfEchoAfterConvergence(int voice, int acousticDelaySamples)
    {
        var reply = RoomEcho.Reply(voice);
        var (echo, residual) = RoomEcho.Run(reply, new EchoCancellerOptions(), acousticDelaySamples);

        // The first two seconds are the adaptive filter learning the room; ERLE is the steady state after it.
        var from = 2 * 16000;
        var erle = EchoMeasures.ErleDb(echo.AsSpan(from), residual.AsSpan(from));
        output.WriteLine($"voice {voice}, delay {acousticDelaySamples / 16.0} ms: ERLE {erle:F1} dB over {(echo.Length - from) / 16000.0:F1} s");
        Assert.True(erle >= 15, $"ERLE {erle:F1} dB");
    }

    [Fact]
    public void Process_WhenCancellationIsOff_LeavesTheEcho()
    {
        var reply = RoomEcho.Reply(0);
        var (echo, residual) = RoomEcho.Run(reply, new EchoCancellerOptions { Enabled = false }, 480);

        var erle = EchoMeasures.ErleDb(echo.AsSpan(32000), residual.AsSpan(32000));
        Assert.InRange(erle, -0.5, 0.5);
    }

    [Fact]
    public void Process_WhenWarm_AllocatesNothingPerBlock()
    {
        var options = new EchoCancellerOptions();
        var reference = PlaybackReference.FromOptions(options);
        using var stage = new EchoStage(options, reference);
        var reply = RoomEcho.Reply(1);
        var room = new SimulatedRoom(RoomImpulseResponse.Synthesize(480));
        var captured = new float[512];
        var cleaned = new float[512];
        var block = 0;

        void Step()
        {
            var played = reply.AsSpan(block * 512 % (reply.Length - 512), 512);
            block++;
            reference.Write(played);
            room.Capture(played, captured);
            stage.Process(captured, cleaned);
        }

        for (var i = 0; i < 60; i++)
        {
            Step();
        }

        var allocated = AllocationMeter.Measure(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                reference.Write(reply.AsSpan(i * 512, 512));
                stage.Process(captured, cleaned);
            }
        });

        Assert.Equal(0, allocated);
        Assert.True(stage.CancelledBlocks >= 100, "the measured blocks went through the canceller");
    }

    [Fact]
    public void Process_WhenBlockIsNotWholeFrames_ThrowsNamingTheSizes()
    {
        using var canceller = new EchoCanceller(new EchoCancellerOptions { FrameSamples = 256 });
        var block = new float[300];

        var error = Assert.Throws<ArgumentException>(() => canceller.Process(block, block, new float[300]));

        Assert.Contains("300", error.Message, StringComparison.Ordinal);
        Assert.Contains("256-sample frames", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenFrameDoesNotDivideTheLoopFrame_FailsNamingTheField()
    {
        var result = new EchoCancellerOptionsValidator().Validate(null, new EchoCancellerOptions { FrameSamples = 200 });

        Assert.True(result.Failed);
        Assert.Contains(nameof(EchoCancellerOptions.FrameSamples), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_WhenNothingPlays_PassesTheCaptureThroughUntouched()
    {
        var options = new EchoCancellerOptions();
        using var stage = new EchoStage(options, PlaybackReference.FromOptions(options));
        var captured = Enumerable.Range(0, 512).Select(i => MathF.Sin(i * 0.05f) * 0.2f).ToArray();
        var cleaned = new float[512];

        stage.Process(captured, cleaned);

        Assert.False(stage.PlaybackActive);
        Assert.Equal(captured, cleaned);
        Assert.Equal(0, stage.CancelledBlocks);
    }
}
