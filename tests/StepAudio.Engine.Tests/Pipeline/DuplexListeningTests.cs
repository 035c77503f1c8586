using StepAudio.Engine.Echo;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Tests.Echo;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Room;
using Xunit.Abstractions;
using StepAudio.Engine.Tests.Fakes;

namespace StepAudio.Engine.Tests.Pipeline;

/// <summary>
/// Barge-in in a simulated room: the device's replies come back through the room into its own
/// microphone; the echo canceller and the barge-in rule must keep it from interrupting itself while
/// still stopping for a user who talks over it. Latencies are counted in audio frames.
/// </summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class DuplexListeningTests(ModelsFixture models, ContractModelsFixture contract, ITestOutputHelper output) : IDisposable
{
    private const int FrameMs = ListeningLoop.FrameSamples / 16;

    /// <summary>Frames the VAD may take to rise above the barge-in threshold after speech starts.</summary>
    private const int VadLatencyFrames = 5;

    private readonly ListeningStages _stages = new(models, contract);

    public void Dispose() => _stages.Dispose();

    [Fact]
    public void Process_WhenRepliesPlayThroughTheRoomAndNobodyTalks_NeverInterruptsItself()
    {
        using var rig = NewRig(new EchoCancellerOptions());
        var played = 0.0;
        for (var voice = 0; voice < 4; voice++)
        {
            var reply = RoomEcho.Reply(voice);
            played += reply.Length / 16000.0;
            rig.Playback.Enqueue(reply);
            rig.RunUntilPlayed(tailMs: 600);
        }

        var bargeIns = rig.Received.Count(s => s.Kind == TurnSignalKind.BargeIn);
        output.WriteLine($"{played:F1} s of replies in 4 voices: {bargeIns} self-barge-ins");
        Assert.Equal(0, bargeIns);
        Assert.Empty(rig.Received);
        Assert.Equal(0, rig.Playback.Stops);
    }

    [Fact]
    public void Process_WhenEchoCancellationIsOff_InterruptsItself()
    {
        // The same replies without the canceller: proves the room is loud enough for the rule to fire
        // on the device's own voice, so the test above could fail.
        using var rig = NewRig(new EchoCancellerOptions { Enabled = false });
        for (var voice = 0; voice < 4; voice++)
        {
            rig.Playback.Enqueue(RoomEcho.Reply(voice));
            rig.RunUntilPlayed(tailMs: 600);
        }

        var bargeIns = rig.Received.Count(s => s.Kind == TurnSignalKind.BargeIn);
        output.WriteLine($"without echo cancellation: {bargeIns} self-barge-ins");
        Assert.True(bargeIns > 0, "the device's own voice should interrupt it without the canceller");
        Assert.True(rig.Playback.Stops > 0);
    }

    [Theory]
    [InlineData(0, "Wait, stop, I meant the weather for tomorrow.", "en-gb")]
    [InlineData(3, "No no, turn the music down instead please.", "en-us+m3")]
    public void Process_WhenUserTalksOverTheReply_StopsPlaybackWithinBackchannelPlusVadLatency(int voice, string words, string userVoice)
    {
        var bargeIn = new BargeInOptions();
        using var rig = NewRig(new EchoCancellerOptions(), bargeIn);
        rig.Playback.Enqueue(RoomEcho.Reply(voice));
        rig.Run(2500);
        var onset = rig.Say(SpeechClips.Synthesize(words, userVoice, 160, 0.5f));

        rig.Run(3000);

        var signals = rig.Received;
        var stop = Assert.Single(signals, s => s.Kind == TurnSignalKind.BargeIn);
        Assert.Equal("speech", stop.Keyword);
        Assert.Equal(1, rig.Playback.Stops);
        var stoppedAt = rig.Playback.FirstStopAt!.Value;

        // The stop came on the frame the decision was made: the next block the loudspeaker played was silence.
        Assert.Equal((long)(stop.AtMs * 16), stoppedAt);
        var latencyFrames = (stoppedAt - onset) / (double)ListeningLoop.FrameSamples;
        output.WriteLine($"barge-in after {latencyFrames:F1} frames ({latencyFrames * FrameMs:F0} ms) of user speech; speech heard {stop.SpeechMs} ms");
        Assert.InRange(latencyFrames, bargeIn.BackchannelMs / FrameMs, (bargeIn.BackchannelMs / FrameMs) + VadLatencyFrames + 1);

        var wake = Assert.Single(signals, s => s.Kind == TurnSignalKind.Wake);
        Assert.Equal("barge_in", wake.Keyword);
        Assert.Equal(stop.AtMs, wake.AtMs);
        Assert.Contains(signals, s => s.Kind == TurnSignalKind.SpeechStart && s.TurnId == wake.TurnId);
    }

    [Theory]
    [InlineData("uh huh", "en-gb", 200)]
    [InlineData("yeah", "en-us", 170)]
    [InlineData("right", "en-us+f3", 200)]
    public void Process_WhenUserSaysAShortBackchannel_DoesNotInterrupt(string words, string voice, int wordsPerMinute)
    {
        var bargeIn = new BargeInOptions();
        using var rig = NewRig(new EchoCancellerOptions(), bargeIn);
        var backchannel = SpeechClips.Synthesize(words, voice, wordsPerMinute, 0.5f);
        Assert.True(backchannel.Length / 16 < bargeIn.BackchannelMs, $"the clip is {backchannel.Length / 16} ms");
        rig.Playback.Enqueue(RoomEcho.Reply(1));
        rig.Run(2500);
        rig.Say(backchannel);

        rig.RunUntilPlayed(tailMs: 600);

        Assert.DoesNotContain(rig.Received, s => s.Kind == TurnSignalKind.BargeIn);
        Assert.Equal(0, rig.Playback.Stops);
    }

    [Fact]
    public void Process_WhenWakeWordIsSaidDuringPlayback_StopsPlaybackAndStartsAWakeTurn()
    {
        // Speech barge-in off: only the wake word may interrupt.
        using var rig = NewRig(new EchoCancellerOptions(), new BargeInOptions { Enabled = false });
        rig.Playback.Enqueue(RoomEcho.Reply(2));
        rig.Run(2500);
        rig.Say(SpeechClips.Synthesize("hey jarvis", "en-us", 140, 0.5f));

        rig.Run(2500);

        var signals = rig.Received;
        var stop = Assert.Single(signals, s => s.Kind == TurnSignalKind.BargeIn);
        Assert.Equal("wake", stop.Keyword);
        var wake = Assert.Single(signals, s => s.Kind == TurnSignalKind.Wake);
        Assert.Equal("hey_jarvis", wake.Keyword);
        Assert.Equal((long)(stop.AtMs * 16), rig.Playback.FirstStopAt);
    }

    private DuplexRoomRig NewRig(EchoCancellerOptions echo, BargeInOptions? bargeIn = null) =>
        new(_stages.WakeWord, _stages.Vad, _stages.Tokenizer, echo, bargeIn ?? new BargeInOptions());
}
