using StepAudio.Engine.Audio;
using StepAudio.Engine.Features;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Voice;

/// <summary>
/// Computes a <see cref="SpeakerPromptAsset"/> from a decoded prompt recording, each part from the
/// version of the audio the reference uses (STEP-AUDIO.md sections 1 and 5): the ids from the
/// normalised, trimmed 16 kHz prompt; the CAM++ embedding from the untouched 16 kHz prompt; the
/// prompt mel from the untouched prompt at the vocoder's rate.
/// </summary>
internal static class SpeakerPromptAnalysis
{
    /// <summary>Runs the tokenizer, CAM++ and the mel on <paramref name="wav"/>.</summary>
    /// <exception cref="WavFormatException">The recording is too short to give any audio tokens (the message names it).</exception>
    public static async Task<SpeakerPromptAsset> ComputeAsync(
        WavAudio wav,
        string sourceName,
        IPromptTokenizer tokenizer,
        StreamingVocoder vocoder,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wav);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(vocoder);

        var mono = new float[wav.FrameCount];
        ChannelMixer.MixToMono(wav.Samples, wav.Channels, mono);
        var prompt16k = wav.SampleRate == PipelineAudio.SampleRate ? mono : ReferenceResampler.Resample(mono, wav.SampleRate, PipelineAudio.SampleRate);

        var normalised = new float[prompt16k.Length];
        AudioConditioner.PeakNormalise(prompt16k, normalised);
        var trimmed = PromptTrimmer.Trim(normalised, PipelineAudio.SampleRate);
        var audioIds = await tokenizer.TokenizeAsync(trimmed, cancellationToken).ConfigureAwait(false);
        if (audioIds.Length == 0)
        {
            throw new WavFormatException($"Speaker prompt {sourceName} is too short to give any audio tokens.");
        }

        var fbank = new KaldiFbank(new KaldiFbankOptions { Window = KaldiWindowType.Povey, InputScale = 1.0 }).ComputeAll(prompt16k);
        var embedding = vocoder.EmbedSpeaker(fbank, fbank.Length / StreamingVocoder.FbankBins);

        var promptAtVocoderRate = wav.SampleRate == vocoder.SampleRate ? mono : ReferenceResampler.Resample(mono, wav.SampleRate, vocoder.SampleRate);
        var (mel, frames) = new PromptMelSpectrogram(vocoder.SampleRate, vocoder.Profile.Hop).Compute(promptAtVocoderRate);
        return new SpeakerPromptAsset(audioIds, embedding, mel, frames);
    }
}
