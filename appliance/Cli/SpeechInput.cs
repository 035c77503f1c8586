using StepAudio.Appliance.Composition;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Features;

namespace StepAudio.Appliance.Cli;

/// <summary>A request recording as the commands take it: any WAV the reader understands, at a rate that still carries speech.</summary>
internal static class SpeechInput
{
    /// <summary>The tokenizer's input rate.</summary>
    public const int SampleRate = PipelineAudio.SampleRate;

    /// <summary>
    /// The lowest rate accepted: telephone band. Below it the consonants that tell words apart are gone, so the wake word
    /// and the tokenizer would be judged on audio they were never meant for; refusing says so instead of failing quietly.
    /// </summary>
    public const int MinSampleRate = 8000;

    /// <summary>Reads a request WAV, refusing what is not one with a line that says what is wrong.</summary>
    /// <exception cref="OptionsException">The path is a directory or missing, or the rate is below <see cref="MinSampleRate"/>.</exception>
    /// <exception cref="WavFormatException">The file is not a WAV the reader understands.</exception>
    public static WavAudio Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw new OptionsException($"{path} is a directory, not a WAV file.");
        }

        if (!File.Exists(path))
        {
            throw new OptionsException($"{path} does not exist.");
        }

        var wav = WavFile.Read(path);
        if (wav.SampleRate < MinSampleRate)
        {
            throw new OptionsException(
                $"{path} is sampled at {wav.SampleRate} Hz; speech needs at least {MinSampleRate} Hz (record at {SampleRate} Hz, the rate the tokenizer takes).");
        }

        return wav;
    }

    /// <summary>The recording as the tokenizer takes it: mono (mean of the channels), 16 kHz through the reference's resampler.</summary>
    /// <exception cref="OptionsException">See <see cref="Read"/>.</exception>
    /// <exception cref="WavFormatException">The file is not a WAV the reader understands.</exception>
    public static float[] ReadMono16k(string path)
    {
        var wav = Read(path);
        var mono = new float[wav.FrameCount];
        ChannelMixer.MixToMono(wav.Samples, wav.Channels, mono);
        return wav.SampleRate == SampleRate ? mono : ReferenceResampler.Resample(mono, wav.SampleRate, SampleRate);
    }
}
