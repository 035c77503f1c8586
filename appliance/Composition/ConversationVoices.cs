using Microsoft.Extensions.Logging;
using StepAudio.Appliance.Storage;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;

namespace StepAudio.Appliance.Composition;

/// <summary>
/// The voices of the service: the music vocoder when Voice:MusicVocoder is set, and every configured
/// prompt prepared through the voice cache (under the state directory unless Voice:CacheDirectory
/// says otherwise), before the device reports ready.
/// </summary>
internal static class ConversationVoices
{
    /// <summary>Loads the music vocoder (added to <paramref name="owned"/>) and builds the selector.</summary>
    public static async Task<VoiceSelector> LoadAsync(
        ApplianceSettings settings,
        DualCodebookTokenizer tokenizer,
        StreamingVocoder vocoder,
        OnnxSessionFactory factory,
        ILoggerFactory loggers,
        string? stateDirectory,
        List<IDisposable> owned,
        CancellationToken cancellationToken)
    {
        VocoderIdentity? music = null;
        if (settings.Voice.MusicVocoder is { } musicOptions)
        {
            var musicVocoder = StreamingVocoder.Load(musicOptions, factory, loggers.CreateLogger<StreamingVocoder>());
            owned.Add(musicVocoder);
            music = new VocoderIdentity(musicVocoder, ModelFingerprint.OfVocoder(musicOptions));
        }

        var prompts = new SpeakerPromptStore(
            settings.Voice.ResolveCacheDirectory(stateDirectory),
            AtomicFileWriter.Instance,
            new DualCodebookPromptTokenizer(tokenizer),
            ModelFingerprint.OfTokenizer(settings.Tokenizer),
            loggers.CreateLogger<SpeakerPromptStore>());
        return await VoiceSelectorBuilder.BuildAsync(
            settings.Voice,
            prompts,
            new VocoderIdentity(vocoder, ModelFingerprint.OfVocoder(settings.Vocoder)),
            music,
            loggers.CreateLogger<VoiceSelector>(),
            cancellationToken);
    }
}
