using StepAudio.Engine.Audio;
using StepAudio.Engine.Features;

namespace StepAudio.Appliance.Cli;

/// <summary>A WAV of any rate, format and channel count as the tokenizer takes it: mono (mean of the channels), 16 kHz.</summary>
internal static class SpeechInput
{
    /// <summary>The tokenizer's input rate.</summary>
    public const int SampleRate = 16000;

    /// <exception cref="WavFormatException">The file is not a WAV the reader understands.</exception>
    public static float[] ReadMono16k(string path)
    {
        var wav = WavFile.Read(path);
        var mono = new float[wav.FrameCount];
        ChannelMixer.MixToMono(wav.Samples, wav.Channels, mono);
        return wav.SampleRate == SampleRate ? mono : ReferenceResampler.Resample(mono, wav.SampleRate, SampleRate);
    }
}
