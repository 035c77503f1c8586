namespace StepAudio.Engine.Tts;

/// <summary>
/// Reads the leading control tag of a TTS target text: ASCII or full-width parentheses, mixed
/// freely, only at the start (after whitespace). A bracketed word that is not a tag, a nested or an
/// unclosed bracket is left as plain text: the model then reads it as words, which is what the
/// reference does with it too.
/// </summary>
internal static class ControlTagParser
{
    private static readonly Dictionary<string, (ControlTagKind Kind, int[]? Intensities)> s_tags = new(StringComparer.Ordinal)
    {
        ["高兴"] = (ControlTagKind.Emotion, [1, 2]),
        ["生气"] = (ControlTagKind.Emotion, [1, 2]),
        ["悲伤"] = (ControlTagKind.Emotion, [1]),
        ["撒娇"] = (ControlTagKind.Emotion, [1]),
        ["中文"] = (ControlTagKind.Language, null),
        ["英文"] = (ControlTagKind.Language, null),
        ["韩语"] = (ControlTagKind.Language, null),
        ["日语"] = (ControlTagKind.Language, null),
        ["四川话"] = (ControlTagKind.Language, null),
        ["粤语"] = (ControlTagKind.Language, null),
        ["广东话"] = (ControlTagKind.Language, null),
        ["慢速"] = (ControlTagKind.Speed, [1, 2]),
        ["快速"] = (ControlTagKind.Speed, [1, 2]),
        ["RAP"] = (ControlTagKind.Music, null),
        ["哼唱"] = (ControlTagKind.Music, null),
    };

    /// <summary>Every tag word Step-Audio's TTS knows, for documentation and validation.</summary>
    public static IReadOnlyCollection<string> KnownTags => s_tags.Keys;

    /// <summary>Parses the leading tag of <paramref name="text"/>.</summary>
    public static TaggedText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        if (start >= text.Length || !IsOpen(text[start]))
        {
            return new TaggedText(null, null, text);
        }

        var close = -1;
        for (var i = start + 1; i < text.Length; i++)
        {
            if (IsOpen(text[i]))
            {
                // A nested bracket is not a tag.
                return new TaggedText(null, null, text);
            }

            if (IsClose(text[i]))
            {
                close = i;
                break;
            }
        }

        if (close < 0)
        {
            return new TaggedText(null, null, text);
        }

        var word = text[(start + 1)..close].Trim();
        var written = text[start..(close + 1)];
        return TryRecognise(word, written, out var tag)
            ? new TaggedText(tag, null, text)
            : new TaggedText(null, word, text);
    }

    /// <summary>
    /// The text to send for a sentence of a reply: its own leading tag if it has one, else the
    /// reply's tag (a reply is cut into sentences, and the style must hold for all of them), else
    /// the device's default style.
    /// </summary>
    public static TaggedText Apply(string sentence, ControlTag? replyTag, ControlTag? defaultStyle)
    {
        var parsed = Parse(sentence);
        if (parsed.Tag is not null)
        {
            return parsed;
        }

        var inherited = replyTag ?? defaultStyle;
        return inherited is null ? parsed : new TaggedText(inherited, parsed.UnknownTag, inherited.Written + sentence.TrimStart());
    }

    private static bool TryRecognise(string word, string written, out ControlTag? tag)
    {
        tag = null;
        var digits = 0;
        while (digits < word.Length && char.IsAsciiDigit(word[word.Length - 1 - digits]))
        {
            digits++;
        }

        var name = word[..^digits];
        if (!s_tags.TryGetValue(name, out var known))
        {
            return false;
        }

        int? intensity = null;
        if (digits > 0)
        {
            if (known.Intensities is null || !int.TryParse(word[^digits..], out var value) || Array.IndexOf(known.Intensities, value) < 0)
            {
                return false;
            }

            intensity = value;
        }
        else if (known.Intensities is not null)
        {
            // Emotion and speed tags always carry their intensity in Step-Audio's vocabulary.
            return false;
        }

        tag = new ControlTag(known.Kind, name, intensity, written);
        return true;
    }

    private static bool IsOpen(char c) => c is '(' or '（';

    private static bool IsClose(char c) => c is ')' or '）';
}
