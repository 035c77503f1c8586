using StepAudio.Engine.Voice;

namespace StepAudio.Engine.Pipeline;

public sealed partial class TurnCoordinator
{
    /// <summary>
    /// The prompts and vocoders replies are voiced with (<see cref="VoiceSelector"/>): (RAP) and (哼唱)
    /// replies sing through the singing prompts and the music vocoder. Without it, every reply is
    /// spoken in the voice and vocoder given to the constructor.
    /// </summary>
    public VoiceSelector Voices
    {
        get => _speaker.Voices;
        init => _speaker.Voices = value;
    }
}
