using Microsoft.Extensions.Logging;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Voice;

/// <summary>A loaded vocoder and the identity of the models that shape its prompts.</summary>
/// <param name="Vocoder">The vocoder.</param>
/// <param name="Identity">Its <see cref="ModelFingerprint.OfVocoder"/>.</param>
public sealed record VocoderIdentity(StreamingVocoder Vocoder, string Identity);

/// <summary>
/// Prepares every configured prompt through the voice cache at start, so no reply waits for one: the
/// speaking prompt for the speech vocoder, each singing prompt, and with a music vocoder the speaking
/// prompt again for it when a singing prompt is missing (a voice without one still sings through the
/// music vocoder).
/// </summary>
public static class VoiceSelectorBuilder
{
    /// <summary>Builds the selector the reply speaker asks per request.</summary>
    /// <exception cref="Audio.WavFormatException">A prompt recording is missing or malformed (the message names it).</exception>
    public static async Task<VoiceSelector> BuildAsync(
        VoiceOptions options,
        SpeakerPromptStore store,
        VocoderIdentity speech,
        VocoderIdentity? music,
        ILogger<VoiceSelector>? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(speech);
        var defaultStyle = options.DefaultStyleTag;
        var speaker = new SpeakerPromptSource("speaker", options.PromptWav, options.PromptText);
        var speechVoice = (await store.GetAsync(speaker, speech.Vocoder, speech.Identity, cancellationToken).ConfigureAwait(false))
            .ToVoice(options.SystemText, options.PromptText, speech.Vocoder.Profile, defaultStyle);
        var speechChoice = new VoiceChoice(VoiceStyle.Speech, speechVoice, speech.Vocoder, false);

        var singing = music ?? speech;
        var onMusic = music is not null;
        VoiceChoice? fallback = null;

        // The speaking prompt sings only where a singing prompt is missing.
        if (onMusic && (options.Rap is null || options.Humming is null))
        {
            var voice = (await store.GetAsync(speaker, singing.Vocoder, singing.Identity, cancellationToken).ConfigureAwait(false))
                .ToVoice(options.SystemText, options.PromptText, singing.Vocoder.Profile, defaultStyle);
            fallback = new VoiceChoice(VoiceStyle.Speech, voice, singing.Vocoder, true);
        }

        var rap = await SingingAsync(options.Rap, "rap", VoiceStyle.Rap, store, singing, onMusic, options, cancellationToken).ConfigureAwait(false);
        var humming = await SingingAsync(options.Humming, "humming", VoiceStyle.Humming, store, singing, onMusic, options, cancellationToken).ConfigureAwait(false);
        return new VoiceSelector(speechChoice, fallback, rap, humming, logger);
    }

    private static async Task<VoiceChoice?> SingingAsync(
        SingingPromptOptions? prompt,
        string slot,
        VoiceStyle style,
        SpeakerPromptStore store,
        VocoderIdentity vocoder,
        bool onMusic,
        VoiceOptions options,
        CancellationToken cancellationToken)
    {
        if (prompt is null)
        {
            return null;
        }

        var asset = await store.GetAsync(new SpeakerPromptSource(slot, prompt.PromptWav, prompt.PromptText), vocoder.Vocoder, vocoder.Identity, cancellationToken).ConfigureAwait(false);
        var voice = asset.ToVoice(prompt.SystemText, prompt.PromptText, vocoder.Vocoder.Profile, options.DefaultStyleTag);
        return new VoiceChoice(style, voice, vocoder.Vocoder, onMusic);
    }
}
