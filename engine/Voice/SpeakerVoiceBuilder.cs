using StepAudio.Engine.Audio;
using StepAudio.Engine.Features;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Voice;

/// <summary>
/// Turns a prompt recording into a <see cref="SpeakerVoice"/>, each part from the version of the
/// audio the reference uses (STEP-AUDIO.md sections 1 and 5): the dual-codebook ids from the
/// normalised, trimmed 16 kHz prompt; the CAM++ embedding from the untouched 16 kHz prompt; the
/// prompt mel from the untouched prompt at the vocoder's rate.
/// </summary>
public static class SpeakerVoiceBuilder
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
        var mono = new float[wav.FrameCount];
        ChannelMixer.MixToMono(wav.Samples, wav.Channels, mono);
        var prompt16k = wav.SampleRate == 16000 ? mono : ReferenceResampler.Resample(mono, wav.SampleRate, 16000);

        var normalised = new float[prompt16k.Length];
        AudioConditioner.PeakNormalise(prompt16k, normalised);
        var trimmed = PromptTrimmer.Trim(normalised, 16000);
        AudioTokens tokens;
        using (var session = tokenizer.StartSession())
        {
            session.Append(trimmed);
            tokens = await session.CompleteAsync(cancellationToken);
        }

        var audioIds = tokens.ToInterleavedIds();
        if (audioIds.Length == 0)
        {
            throw new WavFormatException($"Speaker prompt {options.PromptWav} is too short to give any audio tokens.");
        }

        var fbank = new KaldiFbank(new KaldiFbankOptions { Window = KaldiWindowType.Povey, InputScale = 1.0 }).ComputeAll(prompt16k);
        var embedding = vocoder.EmbedSpeaker(fbank, fbank.Length / 80);

        var promptAtVocoderRate = wav.SampleRate == vocoder.SampleRate ? mono : ReferenceResampler.Resample(mono, wav.SampleRate, vocoder.SampleRate);
        var (mel, frames) = new PromptMelSpectrogram(vocoder.SampleRate, vocoder.Profile.Hop).Compute(promptAtVocoderRate);
        var flowTokens = FlowTokenMapper.MapAll(vocoder.Profile.TokenLayout, audioIds);
        return new SpeakerVoice(options.SystemText, options.PromptText, audioIds, new SpeakerPrompt(flowTokens, mel, frames, embedding), options.DefaultStyleTag);
    }
}
