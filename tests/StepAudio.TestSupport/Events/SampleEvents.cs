using StepAudio.Engine.Conversation;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tools;

namespace StepAudio.TestSupport.Events;

/// <summary>One event of every events.jsonl type, with plausible fields, for sinks and format tests.</summary>
public static class SampleEvents
{
    private static readonly SpokenReply Reply = new(
        "It will be sunny.", 1, 1.25, new TurnLatency(3.2, 0, 224, 579.5, 10.2, 803.5, 788.6, 14.9));

    /// <summary>Every type once; a completed and a cancelled <c>turn_end</c> both, since their fields differ.</summary>
    public static IReadOnlyList<PipelineEvent> All { get; } =
    [
        new WakeDetected(1920, 1, "hey_jarvis", 0.9234, 18.5),
        new SpeechStarted(2080, 1),
        new SpeechPaused(3552, 1),
        new SpeculationStarted(3821.8, 1, 18),
        new SpeculationCancelled(3936, 1),
        new SpeculationCommitted(6126.1, 1, 33),
        new SpeculationDiscarded(6126.1, 1, SpeculationDiscardReason.TokensChanged, 33, 37, 30),
        new EndOfTurnDetected(6112, 1, "silence"),
        new TokensReady(6125.3, 1, 37, 3.2),
        new ChatRequested(6126, 1, 37),
        new FirstTextToken(5840.7, 1, 171.6),
        new TtsRequested(6145.2, 1, "It will be sunny."),
        new FirstAudioToken(6349.7, 1, 200.9),
        new FirstAudioOut(6928.6, 1, 579.5),
        new TurnEnded(8992.7, 1, Reply),
        new TurnEnded(8992.7, 2, Reply: null),
        new NoSpeechHeard(9000, 3),
        new ArbitrationLost(9100, 4),
        new TurnFailed(9200, 5, TurnFailureStage.Server, "Unreachable", "Connection refused"),
        new BargedIn(9300, 6, "speech", 640, 0.93, true, 0),
        new FollowUpOpened(9400, 6, 6000, 2),
        new FollowUpStarted(9500, 7, 2),
        new FollowUpEnded(9600, 7),
        new OfflinePromptPlayed(9700, 5, OfflinePromptKind.ServerUnreachable, PromptSource.Bundled, 1.75),
        new ToolCallFinished(9800, "set_timer", "call_1", true, 2.4),
        new TimerRang(9900, "t1", "pasta"),
        new TimerMissed(10000, "t2", "tea", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)),
        new TimerRingingStopped(10100, "wake_word"),
    ];

    /// <summary>The sample of <paramref name="type"/> (the first, for <c>turn_end</c>: a completed turn).</summary>
    public static PipelineEvent Of(string type) => All.First(e => e.Type == type);
}
