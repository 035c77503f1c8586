using System.Runtime.InteropServices;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Tts;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Vocoder.Flow;

namespace StepAudio.Engine.Voice;

/// <summary>
/// What one prompt recording turns into for one vocoder (STEP-AUDIO.md section 5): the dual-codebook
/// ids of the trimmed, normalised prompt, and the CAM++ embedding and prompt mel of the untouched one.
/// This is what the voice cache stores; flow tokens follow from the ids and the vocoder's layout.
/// </summary>
/// <param name="AudioIds">Interleaved audio ids, 0..5119.</param>
/// <param name="Embedding">The CAM++ speaker embedding, before normalisation.</param>
/// <param name="Mel">The prompt mel, frame-major <c>[MelFrames * bins]</c>.</param>
/// <param name="MelFrames">Frames in <paramref name="Mel"/>.</param>
public sealed record SpeakerPromptAsset(int[] AudioIds, float[] Embedding, float[] Mel, int MelFrames)
{
    /// <summary>The voice for the TTS request and the vocoder session.</summary>
    public SpeakerVoice ToVoice(string systemText, string promptText, VocoderProfile profile, ControlTag? defaultStyle)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var flowTokens = FlowTokenMapper.MapAll(profile.TokenLayout, AudioIds);
        return new SpeakerVoice(systemText, promptText, AudioIds, new SpeakerPrompt(flowTokens, Mel, MelFrames, Embedding), defaultStyle);
    }

    /// <summary>True when every id, embedding value and mel value is the same, bit for bit.</summary>
    public bool IsIdenticalTo(SpeakerPromptAsset other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return MelFrames == other.MelFrames
            && AudioIds.AsSpan().SequenceEqual(other.AudioIds)
            && MemoryMarshal.AsBytes(Embedding.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(other.Embedding.AsSpan()))
            && MemoryMarshal.AsBytes(Mel.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(other.Mel.AsSpan()));
    }
}
