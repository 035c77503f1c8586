using StepAudio.Appliance.Storage;
using StepAudio.Engine.Tests.Voice.Fakes;
using StepAudio.Engine.Voice;

namespace StepAudio.Engine.Tests.Voice;

public sealed class VoiceSelectorBuilderTests(VoiceModels models) : IClassFixture<VoiceModels>
{
    [Fact]
    public async Task BuildAsync_WhenBothSingingPromptsAndTheMusicVocoderAreSet_ThenEachSingsWithItsOwnPromptAndSystemText()
    {
        var (options, store) = Setup(rap: true, humming: true);

        var selector = await VoiceSelectorBuilder.BuildAsync(options, store, models.Speech, models.Music);

        Assert.Equal(3, store.Misses);
        Assert.Equal(("rap system", models.MusicVocoder, true), (selector.Rap.Voice.SystemText, selector.Rap.Vocoder, selector.Rap.UsesMusicVocoder));
        Assert.Equal(("hum system", models.MusicVocoder), (selector.Humming.Voice.SystemText, selector.Humming.Vocoder));
        Assert.Equal(("speak system", models.SpeechVocoder), (selector.Speech.Voice.SystemText, selector.Speech.Vocoder));
        Assert.NotEqual(selector.Rap.Voice.PromptAudioIds, selector.Speech.Voice.PromptAudioIds);
    }

    [Fact]
    public async Task BuildAsync_WhenNoSingingPromptIsSet_ThenTheSpeakingPromptIsPreparedForTheMusicVocoderToo()
    {
        var (options, store) = Setup(rap: false, humming: false);

        var selector = await VoiceSelectorBuilder.BuildAsync(options, store, models.Speech, models.Music);

        Assert.Equal(2, store.Misses);
        Assert.Same(selector.Rap.Voice, selector.Humming.Voice);
        Assert.Equal(selector.Speech.Voice.PromptAudioIds, selector.Rap.Voice.PromptAudioIds);
        Assert.Equal(("speak system", models.MusicVocoder, true), (selector.Rap.Voice.SystemText, selector.Rap.Vocoder, selector.Rap.UsesMusicVocoder));
    }

    [Fact]
    public async Task BuildAsync_WhenStartedAgain_ThenEveryPromptComesFromTheCache()
    {
        var (options, store) = Setup(rap: true, humming: false);
        var first = await VoiceSelectorBuilder.BuildAsync(options, store, models.Speech, models.Music);

        var again = new SpeakerPromptStore(store.Directory, AtomicFileWriter.Instance, new DualCodebookPromptTokenizer(models.Tokenizer), ModelFingerprint.OfTokenizer(models.TokenizerOptions));
        var second = await VoiceSelectorBuilder.BuildAsync(options, again, models.Speech, models.Music);

        Assert.Equal((0, 3), (again.Misses, again.Hits));
        Assert.Equal(first.Rap.Voice.VocoderPrompt.Mel, second.Rap.Voice.VocoderPrompt.Mel);
        Assert.Equal(first.Humming.Voice.VocoderPrompt.Embedding, second.Humming.Voice.VocoderPrompt.Embedding);
    }

    [Fact]
    public async Task BuildAsync_WhenThereIsNoMusicVocoder_ThenTheRapPromptIsPreparedForTheSpeechVocoder()
    {
        var (options, store) = Setup(rap: true, humming: false);

        var selector = await VoiceSelectorBuilder.BuildAsync(options, store, models.Speech, music: null);

        Assert.Equal(2, store.Misses);
        Assert.Equal(("rap system", models.SpeechVocoder, false), (selector.Rap.Voice.SystemText, selector.Rap.Vocoder, selector.Rap.UsesMusicVocoder));
        Assert.Same(selector.Speech.Voice, selector.Humming.Voice);
    }

    private (VoiceOptions Options, SpeakerPromptStore Store) Setup(bool rap, bool humming)
    {
        var directory = models.NewDirectory();
        var options = new VoiceOptions
        {
            PromptWav = PromptRecordings.Write(Path.Combine(directory, "speaker.wav")),
            PromptText = "Hello there.",
            SystemText = "speak system",
        };
        if (rap)
        {
            options.Rap = new SingingPromptOptions { PromptWav = PromptRecordings.Write(Path.Combine(directory, "rap.wav"), pitch: 230, seconds: 1.5), PromptText = "Yo.", SystemText = "rap system" };
        }

        if (humming)
        {
            options.Humming = new SingingPromptOptions { PromptWav = PromptRecordings.Write(Path.Combine(directory, "hum.wav"), pitch: 300, seconds: 1.8), PromptText = "La.", SystemText = "hum system" };
        }

        var store = new SpeakerPromptStore(Path.Combine(directory, "cache"), AtomicFileWriter.Instance, new DualCodebookPromptTokenizer(models.Tokenizer), ModelFingerprint.OfTokenizer(models.TokenizerOptions));
        return (options, store);
    }
}
