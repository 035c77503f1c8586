using StepAudio.Engine.Echo;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Room;

namespace StepAudio.Engine.Tests.Echo;

/// <summary>A reply played through a simulated room with the echo stage listening: what the tests and the ERLE figure share.</summary>
internal static class RoomEcho
{
    public const int Block = 512;

    /// <summary>A few seconds of the device's voice (see <see cref="RoomReplies.Reply"/>).</summary>
    public static float[] Reply(int seed = 0) => RoomReplies.Reply(seed);

    /// <summary>Plays <paramref name="reply"/> through the room into the echo stage; returns echo-only and residual, block aligned.</summary>
    public static (float[] Echo, float[] Residual) Run(float[] reply, EchoCancellerOptions options, int acousticDelaySamples, int seed = 1)
    {
        var room = new SimulatedRoom(RoomImpulseResponse.Synthesize(acousticDelaySamples, seed: seed), noiseLevel: 3e-4f, seed: seed);
        var reference = PlaybackReference.FromOptions(options);
        using var stage = new EchoStage(options, reference, Block);
        var blocks = reply.Length / Block;
        var echo = new float[blocks * Block];
        var residual = new float[blocks * Block];
        var captured = new float[Block];
        for (var b = 0; b < blocks; b++)
        {
            var played = reply.AsSpan(b * Block, Block);
            reference.Write(played);
            room.Capture(played, captured, echo.AsSpan(b * Block, Block));
            stage.Process(captured, residual.AsSpan(b * Block, Block));
        }

        return (echo, residual);
    }
}
