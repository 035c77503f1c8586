using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Vocoder.Flow;

namespace StepAudio.Engine.Tests.Vocoder.Fakes;

/// <summary>Deterministic audio ids and speaker prompts for the vocoder tests.</summary>
internal static class VocoderTestData
{
    /// <summary>Valid interleaved ids: groups of 2 vq02 then 3 vq06, drawn so neighbouring groups are related (speech-like, not white noise).</summary>
    public static int[] AudioIds(int groups, int seed)
    {
        var random = new Random(seed);
        var ids = new int[groups * 5];
        var vq02 = random.Next(1024);
        var vq06 = random.Next(4096);
        for (var g = 0; g < groups; g++)
        {
            for (var k = 0; k < 5; k++)
            {
                if (random.NextDouble() < 0.3)
                {
                    vq02 = random.Next(1024);
                    vq06 = random.Next(4096);
                }

                ids[(g * 5) + k] = k < 2 ? vq02 : FlowTokenMapper.Vq06Offset + vq06;
            }
        }

        return ids;
    }

    public static SpeakerPrompt Prompt(StreamingVocoder vocoder, int groups = 10)
    {
        var profile = vocoder.Profile;
        var tokens = FlowTokenMapper.MapAll(profile.TokenLayout, AudioIds(groups, 99));
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

        return new SpeakerPrompt(tokens, mel, frames, vocoder.EmbedSpeaker(fbank, 200));
    }

    public static async IAsyncEnumerable<int> Stream(int[] ids)
    {
        foreach (var id in ids)
        {
            await Task.Yield();
            yield return id;
        }
    }
}
