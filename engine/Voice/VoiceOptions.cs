using System.ComponentModel.DataAnnotations;

namespace StepAudio.Engine.Voice;

/// <summary>The voice the device answers in: a short prompt recording, what it says, and the TTS system text.</summary>
public sealed class VoiceOptions : IValidatableObject
{
    /// <summary>The prompt recording (WAV, any rate and channel count; a few seconds of clean speech).</summary>
    [Required]
    public string PromptWav { get; set; } = string.Empty;

    /// <summary>What the prompt recording says, word for word.</summary>
    [Required]
    public string PromptText { get; set; } = string.Empty;

    /// <summary>
    /// The TTS system text that names the speaker. The exact texts belong to the TTS model's assets
    /// (STEP-AUDIO.md section 4), so they are configuration, not code.
    /// </summary>
    [Required]
    public string SystemText { get; set; } = string.Empty;

    /// <summary>
    /// The device's style when a reply carries no control tag, written as a tag, e.g. <c>(慢速1)</c>
    /// or <c>(四川话)</c>; empty for none. Settable from the fleet.
    /// </summary>
    public string DefaultStyle { get; set; } = string.Empty;

    /// <summary>The default style as a parsed tag; null when none is set.</summary>
    public Tts.ControlTag? DefaultStyleTag => string.IsNullOrWhiteSpace(DefaultStyle) ? null : Tts.ControlTagParser.Parse(DefaultStyle).Tag;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(DefaultStyle) && DefaultStyleTag is null)
        {
            yield return new ValidationResult(
                $"'{DefaultStyle}' is not a Step-Audio control tag; use one of {string.Join(", ", Tts.ControlTagParser.KnownTags)} in brackets, with 1 or 2 after emotions and speeds.",
                [nameof(DefaultStyle)]);
        }
    }
}
