using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Vocoder.Flow;

namespace StepAudio.TestSupport.Replay;

/// <summary>A fixed, deterministic speaker voice for conversations against the stand-in server.</summary>
public static class ReplayVoice
{
    /// <summary>A voice whose prompt is 10 groups of audio ids with a smooth mel and a fixed speaker embedding.</summary>
    public static SpeakerVoice Create(StreamingVocoder vocoder)
    {
        ArgumentNullException.ThrowIfNull(vocoder);
        var profile = vocoder.Profile;
        var ids = new int[50];
        for (var g = 0; g < 10; g++)
        {
            for (var k = 0; k < 5; k++)
            {
                ids[(g * 5) + k] = k < 2 ? (g * 97) % 1024 : FlowTokenMapper.Vq06Offset + ((g * 389) + k) % 4096;
            }
        }

        var tokens = FlowTokenMapper.MapAll(profile.TokenLayout, ids);
        var frames = profile.FramesForTokens(tokens.Length / profile.TokenWidth);
        var mel = new float[frames * profile.MelBins];
        for (var f = 0; f < frames; f++)
        {
            for (var b = 0; b < profile.MelBins; b++)
            {
                mel[(f * profile.MelBins) + b] = -5f + (2f * MathF.Sin((f * 0.1f) + (b * 0.2f)));
            }
        }

        var fbank = new float[200 * StreamingVocoder.FbankBins];
        for (var i = 0; i < fbank.Length; i++)
        {
            fbank[i] = MathF.Sin(i * 0.37f) * 3f;
        }

        var prompt = new SpeakerPrompt(tokens, mel, frames, vocoder.EmbedSpeaker(fbank, 200));
        return new SpeakerVoice("Speak plainly and warmly.", "Hello there, how can I help?", ids, prompt);
    }
}
