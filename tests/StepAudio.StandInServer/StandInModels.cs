using System.Globalization;
using System.Text;

namespace StepAudio.StandInServer;

/// <summary>
/// What the stand-in "models" say. Deterministic functions of the request, so tests know the answer.
/// </summary>
public static partial class StandInModels
{
    private const int BosId = 1;
    private const int EotId = 3;
    private const int BotId = 4;

    /// <summary>
    /// The chat answer to a user turn: how many <c>&lt;audio_N&gt;</c> tokens arrived (or, for a text
    /// turn, how many characters).
    /// </summary>
    public static string ChatAnswer(string userContent)
    {
        int audioTokens = CountAudioTokens(userContent);
        return audioTokens > 0
            ? string.Create(CultureInfo.InvariantCulture, $"I heard {audioTokens} audio tokens, about {audioTokens / 41.67:0.0} seconds of speech.")
            : string.Create(CultureInfo.InvariantCulture, $"I read {userContent.Length} characters of text and no audio tokens.");
    }

    /// <summary>
    /// <see cref="ChatAnswer(string)"/> followed by a sentence naming the prompt
    /// (<see cref="PromptName"/>), so every reply says which request it answers.
    /// </summary>
    public static string ChatAnswer(string userContent, bool namePrompt) =>
        namePrompt ? ChatAnswer(userContent) + " Your prompt was " + PromptName(userContent) + "." : ChatAnswer(userContent);

    /// <summary>A short name of a user turn: 8 hex digits of its FNV-1a hash.</summary>
    public static string PromptName(string userContent)
    {
        ArgumentNullException.ThrowIfNull(userContent);
        uint hash = 2166136261;
        foreach (char c in userContent)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }

    /// <summary>The chat answer cut into the deltas it streams as: words, each but the first with its leading space.</summary>
    public static List<string> ChatDeltas(string answer)
    {
        var deltas = new List<string>();
        int start = 0;
        for (int i = 1; i <= answer.Length; i++)
        {
            if (i == answer.Length || answer[i] == ' ')
            {
                deltas.Add(answer[start..i]);
                start = i;
            }
        }

        return deltas;
    }

    /// <summary>
    /// The audio ids the TTS stand-in speaks for <paramref name="targetText"/>: <paramref name="tokensPerCharacter"/>
    /// per character, laid out like Step-Audio's stream (groups of 2 vq02 ids in 0..1023 and 3 vq06 ids in 1024..5119),
    /// each id a hash of the character and its position.
    /// </summary>
    public static int[] TtsAudioIds(string targetText, int tokensPerCharacter)
    {
        var ids = new List<int>(targetText.Length * tokensPerCharacter);
        foreach (Rune rune in targetText.EnumerateRunes())
        {
            for (int k = 0; k < tokensPerCharacter; k++)
            {
                int position = ids.Count;
                uint hash = Fnv1a((uint)rune.Value, (uint)position);
                ids.Add(position % 5 < 2 ? (int)(hash % 1024) : 1024 + (int)(hash % 4096));
            }
        }

        return ids.ToArray();
    }

    /// <summary>
    /// Finds the target text in a Step-Audio TTS prompt: the last human turn
    /// (<c>[BOT] "human\n" text [EOT]</c>, with a BOS after <c>[BOT]</c> when the role line was tokenized with
    /// special tokens), read back with <see cref="StandInTokenizer"/>.
    /// </summary>
    public static bool TryFindTargetText(ReadOnlySpan<int> prompt, out string targetText)
    {
        targetText = string.Empty;
        if (prompt.IsEmpty || prompt[0] != BosId)
        {
            return false;
        }

        int[] human = StandInTokenizer.Encode("human\n");
        for (int start = prompt.Length - human.Length - 1; start >= 0; start--)
        {
            if (prompt[start] != BotId)
            {
                continue;
            }

            int role = start + 1 < prompt.Length && prompt[start + 1] == BosId ? start + 2 : start + 1;
            if (role + human.Length > prompt.Length || !prompt.Slice(role, human.Length).SequenceEqual(human))
            {
                continue;
            }

            ReadOnlySpan<int> rest = prompt[(role + human.Length)..];
            int end = rest.IndexOf(EotId);
            return end > 0 && StandInTokenizer.TryDecode(rest[..end], out targetText);
        }

        return false;
    }

    private static int CountAudioTokens(string text)
    {
        int count = 0;
        int index = 0;
        while ((index = text.IndexOf("<audio_", index, StringComparison.Ordinal)) >= 0)
        {
            int digitsStart = index + 7;
            int i = digitsStart;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i > digitsStart && i < text.Length && text[i] == '>')
            {
                count++;
            }

            index = i;
        }

        return count;
    }

    private static uint Fnv1a(uint a, uint b)
    {
        uint hash = 2166136261;
        for (int shift = 0; shift < 32; shift += 8)
        {
            hash = (hash ^ ((a >> shift) & 0xFF)) * 16777619;
        }

        for (int shift = 0; shift < 32; shift += 8)
        {
            hash = (hash ^ ((b >> shift) & 0xFF)) * 16777619;
        }

        return hash;
    }
}
