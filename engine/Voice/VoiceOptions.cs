using System.ComponentModel.DataAnnotations;

namespace StepAudio.Engine.Voice;

/// <summary>The voice the device answers in: a short prompt recording, what it says, and the TTS system text.</summary>
public sealed class VoiceOptions
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
}
