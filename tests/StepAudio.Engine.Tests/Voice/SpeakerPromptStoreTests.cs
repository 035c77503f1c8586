using StepAudio.Appliance.Storage;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Tests.Fakes;
using StepAudio.Engine.Tests.Voice.Fakes;
using StepAudio.Engine.Voice;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Engine.Tests.Voice;

public sealed class SpeakerPromptStoreTests(VoiceModels models) : IClassFixture<VoiceModels>
{
    private const int EntryRejected = 1703;
    private const int EntryUnwritable = 1705;

    [Fact]
    public async Task GetAsync_WhenBuiltTwice_ThenSecondBuildReadsTheCacheWithoutTokenizing()
    {
        var (store, tokenizer, source, _) = Setup();

        var first = await store.GetAsync(source, models.SpeechVocoder, models.Speech.Identity);
        var second = await store.GetAsync(source, models.SpeechVocoder, models.Speech.Identity);

        Assert.Equal(1, tokenizer.Calls);
        Assert.Equal((1, 1), (store.Misses, store.Hits));
        Assert.True(second.IsIdenticalTo(first));
        Assert.Single(Directory.GetFiles(store.Directory, "*.voice"));
    }

    [Fact]
    public async Task GetAsync_WhenReadFromTheCache_ThenEqualsTheFreshlyComputedPromptBitForBit()
    {
        var (store, _, source, _) = Setup();
        await store.GetAsync(source, models.SpeechVocoder, models.Speech.Identity);

        var cached = await NewStore(store.Directory).GetAsync(source, models.SpeechVocoder, models.Speech.Identity);
        var fresh = await SpeakerPromptAnalysis.ComputeAsync(
            WavFile.Read(source.PromptWav), source.PromptWav, new DualCodebookPromptTokenizer(models.Tokenizer), models.SpeechVocoder);

        Assert.True(cached.IsIdenticalTo(fresh));
        Assert.NotEmpty(fresh.AudioIds);
        Assert.Equal(models.SpeechVocoder.Profile.SpeakerEmbeddingDim, fresh.Embedding.Length);
        Assert.Equal(fresh.MelFrames * models.SpeechVocoder.Profile.MelBins, fresh.Mel.Length);
    }

    [Fact]
    public async Task GetAsync_WhenTheWavChanges_ThenTheEntryMissesAndTheOldOneIsPruned()
    {
        var (store, tokenizer, source, _) = Setup();
        var before = await store.GetAsync(source, models.SpeechVocoder, models.Speech.Identity);

        PromptRecordings.Write(source.PromptWav, pitch: 190);
        var after = await store.GetAsync(source, models.SpeechVocoder, models.Speech.Identity);

        Assert.Equal(2, tokenizer.Calls);
        Assert.False(after.IsIdenticalTo(before));
        Assert.Single(Directory.GetFiles(store.Directory, "*.voice"));
    }

    [Fact]
    public async Task GetAsync_WhenThePromptTextOrAModelChanges_ThenTheEntryMisses()
    {
        var (store, tokenizer, source, _) = Setup();
        await store.GetAsync(source, models.SpeechVocoder, models.Speech.Identity);

        await store.GetAsync(source with { PromptText = "Another text." }, models.SpeechVocoder, models.Speech.Identity);
        await NewStore(store.Directory, tokenizer, "tokenizer:another").GetAsync(source, models.SpeechVocoder, models.Speech.Identity);
        await store.GetAsync(source, models.SpeechVocoder, "vocoder:another");

        Assert.Equal(4, tokenizer.Calls);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("garbage")]
    public async Task GetAsync_WhenTheEntryIsCorrupt_ThenItIsLoggedAndRebuiltIdentically(string damage)
    {
        var (store, tokenizer, source, _) = Setup();
        var original = await store.GetAsync(source, models.SpeechVocoder, models.Speech.Identity);
        var entry = Assert.Single(Directory.GetFiles(store.Directory, "*.voice"));
        var bytes = File.ReadAllBytes(entry);
        switch (damage)
        {
            case "flip":
                bytes[bytes.Length / 2] ^= 0x40;
                File.WriteAllBytes(entry, bytes);
                break;
            case "truncate":
                File.WriteAllBytes(entry, bytes[..(bytes.Length - 100)]);
                break;
            default:
                File.WriteAllText(entry, "not a cache entry");
                break;
        }

        var log = new ListLogger<SpeakerPromptStore>();
        var rebuilt = await NewStore(store.Directory, tokenizer, log: log).GetAsync(source, models.SpeechVocoder, models.Speech.Identity);
        var again = await NewStore(store.Directory, tokenizer).GetAsync(source, models.SpeechVocoder, models.Speech.Identity);

        Assert.Equal(2, tokenizer.Calls);
        Assert.Contains(entry, Assert.Single(log.Messages(EntryRejected)));
        Assert.True(rebuilt.IsIdenticalTo(original));
        Assert.True(again.IsIdenticalTo(original));
    }

    [Fact]
    public async Task GetAsync_WhenTheCacheCannotBeWritten_ThenThePromptIsStillComputedAndTheProblemLogged()
    {
        var directory = models.NewDirectory();
        var source = new SpeakerPromptSource("speaker", PromptRecordings.Write(Path.Combine(directory, "prompt.wav")), "Hello there.");
        var blocked = Path.Combine(directory, "cache-is-a-file");
        File.WriteAllText(blocked, "a file where the cache directory should be");
        var log = new ListLogger<SpeakerPromptStore>();
        var tokenizer = new CountingPromptTokenizer(new DualCodebookPromptTokenizer(models.Tokenizer));

        var asset = await NewStore(blocked, tokenizer, log: log).GetAsync(source, models.SpeechVocoder, models.Speech.Identity);

        Assert.NotEmpty(asset.AudioIds);
        Assert.Equal(1, log.Count(EntryUnwritable));
    }

    [Fact]
    public async Task GetAsync_WhenTheWavIsMissing_ThenWavFormatExceptionNamesIt()
    {
        var (store, _, source, directory) = Setup();
        var missing = Path.Combine(directory, "nowhere.wav");

        var error = await Assert.ThrowsAsync<WavFormatException>(() => store.GetAsync(source with { PromptWav = missing }, models.SpeechVocoder, models.Speech.Identity));

        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public async Task GetAsync_WhenTheSameRecordingServesTwoVocoders_ThenEachKeepsItsOwnEntry()
    {
        var (store, tokenizer, source, _) = Setup();

        await store.GetAsync(source, models.SpeechVocoder, models.Speech.Identity);
        await store.GetAsync(source, models.MusicVocoder, models.Music.Identity);
        await store.GetAsync(source, models.SpeechVocoder, models.Speech.Identity);
        await store.GetAsync(source, models.MusicVocoder, models.Music.Identity);

        Assert.Equal(2, tokenizer.Calls);
        Assert.Equal(2, Directory.GetFiles(store.Directory, "*.voice").Length);
    }

    private (SpeakerPromptStore Store, CountingPromptTokenizer Tokenizer, SpeakerPromptSource Source, string Directory) Setup()
    {
        var directory = models.NewDirectory();
        var tokenizer = new CountingPromptTokenizer(new DualCodebookPromptTokenizer(models.Tokenizer));
        var store = NewStore(Path.Combine(directory, "cache"), tokenizer);
        var source = new SpeakerPromptSource("speaker", PromptRecordings.Write(Path.Combine(directory, "prompt.wav")), "Hello there.");
        return (store, tokenizer, source, directory);
    }

    private SpeakerPromptStore NewStore(string cache, CountingPromptTokenizer? tokenizer = null, string? tokenizerIdentity = null, ListLogger<SpeakerPromptStore>? log = null) =>
        new(cache, AtomicFileWriter.Instance, tokenizer ?? new CountingPromptTokenizer(new DualCodebookPromptTokenizer(models.Tokenizer)), tokenizerIdentity ?? ModelFingerprint.OfTokenizer(models.TokenizerOptions), log);
}
