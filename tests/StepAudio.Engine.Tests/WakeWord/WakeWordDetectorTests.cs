using StepAudio.Engine.Inference;
using StepAudio.TestSupport;
using StepAudio.Engine.WakeWord;
using StepAudio.TestSupport.Allocation;

namespace StepAudio.Engine.Tests.WakeWord;

[Collection(PinnedModelsGroup.Name)]
public sealed class WakeWordDetectorTests(ModelsFixture models)
{
    private WakeWordDetector Load(float threshold = 0.5f) => WakeWordDetector.Load(
        models.PathOf("oww-melspectrogram"),
        models.PathOf("oww-embedding"),
        [("hey_jarvis", models.PathOf("oww-hey-jarvis"))],
        new WakeWordOptions { Threshold = threshold },
        models.Factory);

    [Theory]
    [InlineData("en-us", 140)]
    [InlineData("en-gb", 150)]
    [InlineData("en-us+f3", 130)]
    public void Process_WhenWakePhraseIsSpoken_FiresNearItsEnd(string voice, int wordsPerMinute)
    {
        using var detector = Load();
        var phrase = SpeechClips.Synthesize("hey jarvis", voice, wordsPerMinute);
        var audio = SpeechClips.Concat(SpeechClips.Silence(1000), phrase, SpeechClips.Silence(1000));

        var detections = Feed(detector, audio, 512, out var peak);

        var detection = Assert.Single(detections);
        Assert.Equal("hey_jarvis", detection.Keyword);
        Assert.True(detection.Score >= 0.5f, $"score {detection.Score}");
        Assert.True(peak >= 0.9f, $"peak score {peak}");
        var phraseEnd = 16000 + phrase.Length;
        Assert.InRange(detection.EndSample, 16000, phraseEnd + 16000);
    }

    [Fact]
    public void Process_WhenOtherRealSpeechIsHeard_NeverFires()
    {
        using var detector = Load();
        var totalSamples = 0L;
        var fired = new List<string>();
        foreach (var (name, samples) in SpeechClips.DebianRecordings())
        {
            detector.Reset();
            totalSamples += samples.Length;
            if (Feed(detector, samples, 1280).Count > 0)
            {
                fired.Add(name);
            }
        }

        foreach (var sentence in OtherSentences)
        {
            detector.Reset();
            var speech = SpeechClips.Synthesize(sentence);
            totalSamples += speech.Length;
            if (Feed(detector, speech, 512).Count > 0)
            {
                fired.Add(sentence);
            }
        }

        Assert.True(totalSamples >= 60 * 16000, $"only {totalSamples / 16000.0:F1} s of speech");
        Assert.Empty(fired);
    }

    [Fact]
    public void Process_WhenPhraseRepeatsWithinRefractoryPeriod_FiresOnce()
    {
        using var detector = Load();
        var phrase = SpeechClips.Synthesize("hey jarvis");
        var audio = SpeechClips.Concat(SpeechClips.Silence(500), phrase, SpeechClips.Silence(200), phrase, SpeechClips.Silence(500));

        Assert.Single(Feed(detector, audio, 512));
    }

    [Fact]
    public void Process_WhenFedInDifferentFrameSizes_ScoresIdentically()
    {
        var audio = SpeechClips.Concat(SpeechClips.Silence(300), SpeechClips.Synthesize("hey jarvis"), SpeechClips.Silence(700));
        using var a = Load();
        using var b = Load();

        var first = Feed(a, audio, 512);
        var second = Feed(b, audio, 333);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Process_WhenGatedByVoice_ScoresExactlyAsUngatedWheneverOpen()
    {
        var audio = SpeechClips.Concat(SpeechClips.Silence(2000), SpeechClips.Synthesize("hey jarvis"), SpeechClips.Silence(1500));
        using var ungated = Load();
        using var gated = Load();
        var open = 0;
        for (var offset = 0; offset + 1280 <= audio.Length; offset += 1280)
        {
            // Closed for the first 1.6 s and in a 0.4 s hole later: gaps longer and shorter than the feature window.
            var chunk = offset / 1280;
            var gateOpen = chunk >= 20 && (chunk < 30 || chunk >= 35);
            var frame = audio.AsSpan(offset, 1280);
            var a = ungated.Process(frame, out var expected);
            var b = gated.Process(frame, gateOpen, out var actual);
            if (gateOpen)
            {
                open++;
                Assert.Equal(ungated.LastScore, gated.LastScore);
                Assert.Equal(a, b);
                Assert.Equal(expected, actual);
            }
            else
            {
                Assert.False(b);
            }
        }

        Assert.True(open > 20);
    }

    [Fact]
    public void Process_WhenWarm_AllocatesNothing()
    {
        using var detector = Load();
        var frame = new float[512];
        for (var i = 0; i < 50; i++)
        {
            detector.Process(frame, out _);
        }

        var allocated = AllocationMeter.Measure(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                detector.Process(frame, out _);
            }
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Load_WhenHeadHasWrongShape_ThrowsNamingTheHead()
    {
        var ex = Assert.Throws<ModelContractException>(() => WakeWordDetector.Load(
            models.PathOf("oww-melspectrogram"),
            models.PathOf("oww-embedding"),
            [("not_a_head", models.PathOf("oww-embedding"))],
            new WakeWordOptions(),
            models.Factory));

        Assert.Contains("not_a_head", ex.Message, StringComparison.Ordinal);
    }

    private static readonly string[] OtherSentences =
    [
        "What is the weather like in Paris tomorrow morning?",
        "Please set a timer for ten minutes and remind me to check the oven.",
        "Harvest moon rising over the quiet harbour town.",
        "Hey there, can you play some jazz music in the kitchen?",
        "Jar of jam on the shelf next to the jars of honey.",
    ];

    private static List<WakeWordDetection> Feed(WakeWordDetector detector, float[] audio, int frame) =>
        Feed(detector, audio, frame, out _);

    private static List<WakeWordDetection> Feed(WakeWordDetector detector, float[] audio, int frame, out float peak)
    {
        peak = 0;
        var detections = new List<WakeWordDetection>();
        for (var offset = 0; offset < audio.Length; offset += frame)
        {
            var span = audio.AsSpan(offset, Math.Min(frame, audio.Length - offset));
            if (detector.Process(span, out var detection))
            {
                detections.Add(detection);
            }

            peak = Math.Max(peak, detector.LastScore);
        }

        return detections;
    }
}
