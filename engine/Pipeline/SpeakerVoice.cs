using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Pipeline;

/// <summary>
/// The voice the device answers in: what the TTS model needs (system text, the prompt's text and
/// its dual-codebook ids) and what the vocoder needs (the prompt's flow tokens, mel and speaker
/// embedding).
/// </summary>
/// <param name="SystemText">The TTS system text that names the speaker.</param>
/// <param name="PromptText">What the prompt recording says.</param>
/// <param name="PromptAudioIds">The prompt's interleaved audio ids, 0..5119.</param>
/// <param name="VocoderPrompt">The vocoder's conditioning from the same recording.</param>
/// <param name="DefaultStyle">The tag applied when a reply carries none; null for none.</param>
public sealed record SpeakerVoice(string SystemText, string PromptText, int[] PromptAudioIds, SpeakerPrompt VocoderPrompt, Tts.ControlTag? DefaultStyle = null);
