namespace StepAudio.Engine.Audio;

/// <summary>
/// The one rate everything after the capture front end runs at: Silero VAD, openWakeWord, the Kaldi
/// fbank and Whisper log-mel front-ends and the echo canceller all take 16 kHz mono, so the device
/// converts once at the edge and names the rate here, once.
/// </summary>
public static class PipelineAudio
{
    /// <summary>Samples per second of the pipeline's mono audio.</summary>
    public const int SampleRate = 16000;

    /// <summary>Samples per millisecond.</summary>
    public const int SamplesPerMs = SampleRate / 1000;

    /// <summary>The samples in <paramref name="milliseconds"/> of pipeline audio.</summary>
    public static int SamplesFor(int milliseconds) => milliseconds * SamplesPerMs;
}
