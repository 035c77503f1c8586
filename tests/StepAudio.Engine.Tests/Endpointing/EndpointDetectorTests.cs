using StepAudio.Engine.Endpointing;

namespace StepAudio.Engine.Tests.Endpointing;

public sealed class EndpointDetectorTests
{
    private const int Frame = 32;

    private static readonly EndpointingOptions Options = new()
    {
        SpeechThreshold = 0.5f,
        SilenceThreshold = 0.35f,
        MinSpeechMs = 160,
        ResumeSpeechMs = 96,
        PauseMs = 256,
        EndOfTurnMs = 704,
        MaxTurnMs = 3200,
        NoSpeechTimeoutMs = 1600,
    };

    [Fact]
    public void Advance_WhenSpeechThenLongSilence_StartsPausesAndEndsTurn()
    {
        var events = Run(Script(("silence", 320), ("speech", 960), ("silence", 1000)));

        Assert.Equal(
            [
                new EndpointEvent(EndpointEventKind.SpeechStart, 320),
                new EndpointEvent(EndpointEventKind.Pause, 1280),
                new EndpointEvent(EndpointEventKind.EndOfTurn, 1280 + 704),
            ],
            events);
    }

    [Fact]
    public void Advance_WhenSpeechResumesDuringPause_ResumesAndPausesAgain()
    {
        var events = Run(Script(("speech", 640), ("silence", 320), ("speech", 320), ("silence", 800)));

        Assert.Equal(
            [
                EndpointEventKind.SpeechStart, EndpointEventKind.Pause, EndpointEventKind.Resume,
                EndpointEventKind.Pause, EndpointEventKind.EndOfTurn,
            ],
            events.Select(e => e.Kind));
        Assert.Equal(960, events[2].AtMs);
    }

    [Fact]
    public void Advance_WhenSilenceIsShorterThanPause_StaysSpeaking()
    {
        var events = Run(Script(("speech", 640), ("silence", 224), ("speech", 640), ("silence", 100)));

        Assert.Equal([EndpointEventKind.SpeechStart], events.Select(e => e.Kind));
    }

    [Fact]
    public void Advance_WhenBurstIsShorterThanMinimumSpeech_DoesNotStartTurn()
    {
        var events = Run(Script(("silence", 320), ("speech", 128), ("silence", 640)));

        Assert.Empty(events);
    }

    [Fact]
    public void Advance_WhenUserKeepsTalking_EndsAtMaximumLength()
    {
        var events = Run(Script(("speech", 5000)));

        Assert.Equal([EndpointEventKind.SpeechStart, EndpointEventKind.MaxLengthReached], events.Select(e => e.Kind));
        Assert.Equal(3200, events[1].AtMs);
    }

    [Fact]
    public void Advance_WhenNoSpeechFollowsWake_AbandonsTurn()
    {
        var events = Run(Script(("silence", 2000)));

        Assert.Equal([new EndpointEvent(EndpointEventKind.NoSpeech, 1600)], events);
    }

    [Fact]
    public void Advance_WhenProbabilityHoversBetweenThresholds_KeepsCurrentRun()
    {
        // 0.4 is neither speech nor silence: it must not end the speech run nor start a pause.
        var events = Run(Script(("speech", 320), ("hover", 640), ("speech", 64)));

        Assert.Equal([EndpointEventKind.SpeechStart], events.Select(e => e.Kind));
    }

    [Fact]
    public void Advance_AfterEndOfTurn_IgnoresFramesUntilReset()
    {
        var detector = new EndpointDetector(Options);
        var events = Run(detector, Script(("speech", 320), ("silence", 1000), ("speech", 640)));
        Assert.Equal(TurnState.EndOfTurn, detector.State);
        Assert.Equal(3, events.Count);

        detector.Reset(10_000);
        var next = Run(detector, Script(("speech", 320)));

        Assert.Equal([new EndpointEvent(EndpointEventKind.SpeechStart, 10_000)], next);
    }

    [Fact]
    public void UpdateOptions_WhenPauseShortened_AppliesFromNextFrame()
    {
        var detector = new EndpointDetector(Options);
        Run(detector, Script(("speech", 320), ("silence", 128)));
        Assert.Equal(TurnState.UserSpeaking, detector.State);

        detector.UpdateOptions(new EndpointingOptions { PauseMs = 128, EndOfTurnMs = 400, MinSpeechMs = 160 });
        var events = Run(detector, Script(("silence", 32)));

        Assert.Equal([EndpointEventKind.Pause], events.Select(e => e.Kind));
    }

    [Theory]
    [InlineData(0.6f, 0.4f, 300, 800, true)]
    [InlineData(0.4f, 0.5f, 300, 800, false)]
    [InlineData(0.5f, 0.35f, 800, 800, false)]
    [InlineData(1.5f, 0.35f, 300, 800, false)]
    public void Validator_ChecksRangesAndRelations(float speech, float silence, int pause, int end, bool valid)
    {
        var result = new EndpointingOptionsValidator().Validate(null, new EndpointingOptions
        {
            SpeechThreshold = speech,
            SilenceThreshold = silence,
            PauseMs = pause,
            EndOfTurnMs = end,
        });

        Assert.Equal(valid, result.Succeeded);
    }

    private static IEnumerable<float> Script(params (string Kind, int Ms)[] parts)
    {
        foreach (var (kind, ms) in parts)
        {
            var probability = kind switch
            {
                "speech" => 0.9f,
                "silence" => 0.05f,
                "hover" => 0.4f,
                _ => throw new ArgumentException(kind),
            };
            for (var t = 0; t < ms; t += Frame)
            {
                yield return probability;
            }
        }
    }

    private static List<EndpointEvent> Run(IEnumerable<float> probabilities) => Run(new EndpointDetector(Options), probabilities);

    private static List<EndpointEvent> Run(EndpointDetector detector, IEnumerable<float> probabilities)
    {
        var events = new List<EndpointEvent>();
        foreach (var probability in probabilities)
        {
            var e = detector.Advance(probability, Frame);
            if (e.Kind != EndpointEventKind.None)
            {
                events.Add(e);
            }
        }

        return events;
    }
}
