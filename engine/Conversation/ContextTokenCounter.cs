namespace StepAudio.Engine.Conversation;

/// <summary>
/// Counts what a chat message costs in the model's context without a round trip to the server:
/// each <c>&lt;audio_N&gt;</c> is exactly one token; text is estimated the way BPE vocabularies
/// behave on average (a CJK character or a symbol about one token, a Latin word about one token per
/// four characters). The estimate errs high for English so the budget is rarely overrun.
/// </summary>
internal static class ContextTokenCounter
{
    /// <summary>Template tokens around each message: <c>&lt;|BOT|&gt;</c>, the role, the newline, <c>&lt;|EOT|&gt;</c>.</summary>
    public const int MessageOverhead = 4;

    private const string AudioTag = "<audio_";

    /// <summary>Tokens of one message's content plus its framing.</summary>
    public static int CountMessage(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return MessageOverhead + Count(content);
    }

    /// <summary>Tokens of <paramref name="content"/>: audio tags exactly, the rest estimated.</summary>
    public static int Count(ReadOnlySpan<char> content)
    {
        var tokens = 0;
        var word = 0;
        var i = 0;
        while (i < content.Length)
        {
            if (content[i] == '<' && TryAudioTag(content[i..], out var length))
            {
                tokens += WordTokens(word) + 1;
                word = 0;
                i += length;
                continue;
            }

            var c = content[i];
            if (char.IsLetterOrDigit(c) && c < '\u2E80')
            {
                word++;
            }
            else
            {
                tokens += WordTokens(word);
                word = 0;
                if (!char.IsWhiteSpace(c) && !char.IsLowSurrogate(c))
                {
                    tokens++; // a CJK character, punctuation or a symbol
                }
            }

            i++;
        }

        return tokens + WordTokens(word);
    }

    /// <summary>Exactly how many <c>&lt;audio_N&gt;</c> tokens <paramref name="content"/> holds.</summary>
    public static int CountAudioTokens(ReadOnlySpan<char> content)
    {
        var count = 0;
        var i = content.IndexOf(AudioTag, StringComparison.Ordinal);
        while (i >= 0)
        {
            if (TryAudioTag(content[i..], out var length))
            {
                count++;
                i += length;
            }
            else
            {
                i += AudioTag.Length;
            }

            var next = content[i..].IndexOf(AudioTag, StringComparison.Ordinal);
            i = next < 0 ? -1 : i + next;
        }

        return count;
    }

    private static int WordTokens(int letters) => (letters + 3) / 4;

    private static bool TryAudioTag(ReadOnlySpan<char> text, out int length)
    {
        length = 0;
        if (!text.StartsWith(AudioTag, StringComparison.Ordinal))
        {
            return false;
        }

        var j = AudioTag.Length;
        while (j < text.Length && char.IsAsciiDigit(text[j]))
        {
            j++;
        }

        if (j == AudioTag.Length || j >= text.Length || text[j] != '>')
        {
            return false;
        }

        length = j + 1;
        return true;
    }
}
