using System.Text.Json;
using StepAudio.Appliance.Storage;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Turns;
using StepAudio.Engine.Tests.Link;
using StepAudio.Engine.Tests.Voice.Fakes;
using StepAudio.Engine.Voice;
using StepAudio.StandInServer;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Engine.Tests.Voice;

/// <summary>
/// Whole replies through the stand-in GPU server, the TTS prompt builder, the voice selector and two
/// vocoders generated from the contract models: a singing reply must reach the music vocoder with the
/// singing prompt, a spoken one the speech vocoder with the speaking prompt.
/// </summary>
public sealed class SingingReplyTests(VoiceModels models) : StandInTestBase, IClassFixture<VoiceModels>
{
    private const int SessionStarted = 1502;
    private const string SpeakerSystem = "Speak as the house speaker.";
    private const string RapSystem = "Rap as the house speaker.";

    [Fact]
    public async Task SayAsync_WhenTheReplyIsTaggedRap_ThenItGoesThroughTheMusicVocoderWithTheRapPrompt()
    {
        var (coordinator, selector, output) = await BuildAsync(withRapPrompt: true);
        var (speechBefore, musicBefore) = Sessions();

        var seconds = await coordinator.SayAsync("(RAP)我的节奏停不下来。", CancellationToken.None);

        var (speech, music) = Sessions();
        Assert.Equal((0, 1), (speech - speechBefore, music - musicBefore));
        Assert.Contains($"{selector.Rap.Voice.PromptAudioIds.Length} prompt tokens", models.MusicLog.Messages(SessionStarted).Last());
        var prompt = LastTtsPrompt();
        Assert.True(Contains(prompt, StandInTokenizer.Encode("system\n" + RapSystem)), "the TTS prompt carries the rap system text");
        Assert.True(Contains(prompt, ToLlmIds(selector.Rap.Voice.PromptAudioIds)), "the TTS prompt carries the rap prompt's audio ids");
        Assert.True(Contains(prompt, StandInTokenizer.Encode("(RAP)我的节奏停不下来。")), "the tag stays in the target text");
        Assert.True(seconds > 0);
        Assert.True(output.SampleCount > 0);
    }

    [Fact]
    public async Task SayAsync_WhenTheReplyIsSpoken_ThenItGoesThroughTheSpeechVocoderWithTheSpeakingPrompt()
    {
        var (coordinator, selector, _) = await BuildAsync(withRapPrompt: true);
        var (speechBefore, musicBefore) = Sessions();

        await coordinator.SayAsync("(高兴1)今天天气真好。", CancellationToken.None);

        var (speech, music) = Sessions();
        Assert.Equal((1, 0), (speech - speechBefore, music - musicBefore));
        var prompt = LastTtsPrompt();
        Assert.True(Contains(prompt, StandInTokenizer.Encode("system\n" + SpeakerSystem)));
        Assert.True(Contains(prompt, ToLlmIds(selector.Speech.Voice.PromptAudioIds)));
        Assert.False(Contains(prompt, StandInTokenizer.Encode(RapSystem)));
    }

    [Fact]
    public async Task SayAsync_WhenAVoiceWithoutSingingPromptsHums_ThenItKeepsItsPromptButUsesTheMusicVocoder()
    {
        var (coordinator, selector, _) = await BuildAsync(withRapPrompt: false);
        var (speechBefore, musicBefore) = Sessions();

        await coordinator.SayAsync("（哼唱）啦啦啦。", CancellationToken.None);

        var (speech, music) = Sessions();
        Assert.Equal((0, 1), (speech - speechBefore, music - musicBefore));
        Assert.Contains($"{selector.Speech.Voice.PromptAudioIds.Length} prompt tokens", models.MusicLog.Messages(SessionStarted).Last());
        var prompt = LastTtsPrompt();
        Assert.True(Contains(prompt, StandInTokenizer.Encode("system\n" + SpeakerSystem)));
        Assert.True(Contains(prompt, ToLlmIds(selector.Speech.Voice.PromptAudioIds)));
    }

    private async Task<(TurnCoordinator Coordinator, VoiceSelector Selector, RecordingAudioOutput Output)> BuildAsync(bool withRapPrompt)
    {
        var directory = models.NewDirectory();
        var options = new VoiceOptions
        {
            PromptWav = PromptRecordings.Write(Path.Combine(directory, "speaker.wav"), pitch: 140, seconds: 2.0),
            PromptText = "Hello there.",
            SystemText = SpeakerSystem,
            CacheDirectory = Path.Combine(directory, "cache"),
            MusicVocoder = models.MusicOptions,
        };
        if (withRapPrompt)
        {
            options.Rap = new SingingPromptOptions
            {
                PromptWav = PromptRecordings.Write(Path.Combine(directory, "rap.wav"), pitch: 230, seconds: 1.4, sampleRate: 16000),
                PromptText = "Yo yo yo.",
                SystemText = RapSystem,
            };
        }

        var store = new SpeakerPromptStore(options.ResolveCacheDirectory(), AtomicFileWriter.Instance, new DualCodebookPromptTokenizer(models.Tokenizer), ModelFingerprint.OfTokenizer(models.TokenizerOptions));
        var selector = await VoiceSelectorBuilder.BuildAsync(options, store, models.Speech, models.Music);
        var client = new GpuServerClient(ClientOptions());
        var output = new RecordingAudioOutput(models.SpeechVocoder.SampleRate);
        var coordinator = new TurnCoordinator(
            new TurnLink(client, new TtsPromptBuilder(client, client.Options.TtsModel)),
            selector,
            output,
            new IgnoredEvents(),
            new AudioTimeline(),
            new ConversationContext(new ConversationOptions(), client.Options.SystemPrompt));
        return (coordinator, selector, output);
    }

    private (int Speech, int Music) Sessions() => (models.SpeechLog.Count(SessionStarted), models.MusicLog.Count(SessionStarted));

    private int[] LastTtsPrompt()
    {
        using var json = JsonDocument.Parse(Server.CompletionRequestBodies[^1]);
        return json.RootElement.GetProperty("prompt").EnumerateArray().Select(e => e.GetInt32()).ToArray();
    }

    private static int[] ToLlmIds(int[] audioIds) => audioIds.Select(id => AudioTokenText.LlmIdOffset + id).ToArray();

    private static bool Contains(int[] sequence, int[] part) => sequence.AsSpan().IndexOf(part) >= 0;
}
