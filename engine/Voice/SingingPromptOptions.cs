namespace StepAudio.Engine.Voice;

/// <summary>
/// A singing speaker prompt (<c>{speaker}RAP</c> or <c>{speaker}哼唱</c>, STEP-AUDIO.md section 4): a
/// short sung or rapped recording, what it says, and its short singing system text. All three are
/// needed when the section is present; <see cref="VoiceOptions.Validate"/> checks them.
/// </summary>
public sealed class SingingPromptOptions
{
    /// <summary>The singing prompt recording (WAV, any rate and channel count).</summary>
    public string PromptWav { get; set; } = string.Empty;

    /// <summary>What the recording says (or sings), word for word.</summary>
    public string PromptText { get; set; } = string.Empty;

    /// <summary>The TTS model's singing system text for this speaker (one of its assets, so configuration).</summary>
    public string SystemText { get; set; } = string.Empty;
}
