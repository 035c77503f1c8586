using StepAudio.Engine.Tokenizer;

namespace StepAudio.TestSupport.Replay;

/// <summary>
/// Audio tokens for scripted turns, as the streaming tokenizer gives them: one group (2 vq02 + 3
/// vq06 ids) per 120 ms of turn audio, the same ids for the same audio, except that the last
/// <see cref="UnstableTailGroups"/> groups of a snapshot depend on where it was cut (the final
/// vq02 piece and the open vq06 segment are finished differently when more audio follows).
/// </summary>
public sealed class ScriptedTokenSource(int unstableTailGroups = 2)
{
    /// <summary>Samples (16 kHz) per token group.</summary>
    public const int SamplesPerGroup = 1920;

    /// <summary>Trailing groups of a snapshot that change when the audio goes on.</summary>
    public int UnstableTailGroups { get; } = unstableTailGroups;

    /// <summary>The tokens of the first <paramref name="samples"/> samples of the turn seeded <paramref name="seed"/>.</summary>
    public AudioTokens Tokens(int seed, int samples)
    {
        var groups = samples / SamplesPerGroup;
        var vq02 = new int[groups * AudioTokens.Vq02PerGroup];
        var vq06 = new int[groups * AudioTokens.Vq06PerGroup];
        for (var g = 0; g < groups; g++)
        {
            // A stable group depends on the audio it covers only; an unstable one also on the cut.
            var cut = g >= groups - UnstableTailGroups ? samples : 0;
            for (var k = 0; k < AudioTokens.Vq02PerGroup; k++)
            {
                vq02[(g * AudioTokens.Vq02PerGroup) + k] = (int)(Mix(seed, g, k, cut) % AudioTokens.Vq02CodebookSize);
            }

            for (var k = 0; k < AudioTokens.Vq06PerGroup; k++)
            {
                vq06[(g * AudioTokens.Vq06PerGroup) + k] = (int)(Mix(seed, g, k + 8, cut) % AudioTokens.Vq06CodebookSize);
            }
        }

        return new AudioTokens(vq02, vq06);
    }

    private static uint Mix(int seed, int group, int slot, int cut)
    {
        var hash = 2166136261u;
        foreach (var value in (ReadOnlySpan<int>)[seed, group, slot, cut])
        {
            hash = (hash ^ (uint)value) * 16777619;
            hash ^= hash >> 13;
        }

        return hash * 2246822519;
    }
}
