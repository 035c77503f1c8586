using StepAudio.Engine.Vocoder.Flow;

namespace StepAudio.Engine.Vocoder;

/// <summary>
/// The speaker conditioning of a vocoder session, computed once per voice.
/// </summary>
/// <param name="FlowTokens">The prompt's flow tokens (audio ids of the trimmed, normalised prompt mapped by the profile's layout: <see cref="FlowTokenMapper.MapAll"/>); for v2 pairs, two ints per step.</param>
/// <param name="Mel">The prompt's 80-bin log mel, frame-major: <c>Mel[frame * bins + bin]</c> (CosyVoice's <c>speech_feat</c> <c>[1, T, 80]</c>).</param>
/// <param name="MelFrames">Frames in <paramref name="Mel"/>.</param>
/// <param name="Embedding">The 192-d CAM++ embedding (<see cref="StreamingVocoder.EmbedSpeaker"/>), before normalisation.</param>
public sealed record SpeakerPrompt(int[] FlowTokens, float[] Mel, int MelFrames, float[] Embedding);
