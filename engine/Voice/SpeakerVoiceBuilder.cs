using StepAudio.Engine.Audio;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Voice;

/// <summary>
/// Turns a prompt recording into a <see cref="SpeakerVoice"/> without the cache, every part computed
/// afresh (<see cref="SpeakerPromptAnalysis"/>). The service goes through <see cref="SpeakerPromptStore"/>.
/// </summary>
internal static class SpeakerVoiceBuilder
{
    /// <summary>Builds the voice; a bad WAV is a <see cref="WavFormatException"/> naming the file.</summary>
    public static async Task<SpeakerVoice> BuildAsync(
        VoiceOptions options,
        DualCodebookTokenizer tokenizer,
        StreamingVocoder vocoder,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(vocoder);

        var wav = WavFile.Read(options.PromptWav);
        var asset = await SpeakerPromptAnalysis.ComputeAsync(wav, options.PromptWav, new DualCodebookPromptTokenizer(tokenizer), vocoder, cancellationToken).ConfigureAwait(false);
        return asset.ToVoice(options.SystemText, options.PromptText, vocoder.Profile, options.DefaultStyleTag);
    }
}
