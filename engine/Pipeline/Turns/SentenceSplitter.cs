using System.Text;

namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>
/// Cuts streaming reply text into sentences, so speech synthesis of the first sentence starts
/// while the rest of the reply is still being generated.
/// </summary>
internal sealed class SentenceSplitter
{
    private readonly StringBuilder _pending = new();
    private readonly int _minimumLength;

    /// <param name="minimumLength">Shorter fragments ("Yes.") are joined to the next sentence, so TTS requests are not tiny.</param>
    public SentenceSplitter(int minimumLength = 12)
    {
        _minimumLength = minimumLength;
    }

    /// <summary>Adds streamed text; returns the sentences it completed (often none).</summary>
    public IReadOnlyList<string> Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _pending.Append(text);
        List<string>? sentences = null;
        var start = 0;
        for (var i = 0; i < _pending.Length; i++)
        {
            if (!IsTerminator(_pending[i]))
            {
                continue;
            }

            // A terminator ends a sentence only when followed by whitespace (not "3.5"); CJK
            // terminators end it at once. At the end of the buffer, wait for more text.
            var cjk = _pending[i] is '。' or '！' or '？';
            if (!cjk && (i + 1 >= _pending.Length || !char.IsWhiteSpace(_pending[i + 1])))
            {
                continue;
            }

            var candidate = _pending.ToString(start, i + 1 - start).Trim();
            if (candidate.Length >= _minimumLength)
            {
                (sentences ??= []).Add(candidate);
                start = i + 1;
            }
        }

        if (start > 0)
        {
            _pending.Remove(0, start);
        }

        return (IReadOnlyList<string>?)sentences ?? [];
    }

    /// <summary>Whatever text is left when the stream ends.</summary>
    public string? Flush()
    {
        var rest = _pending.ToString().Trim();
        _pending.Clear();
        return rest.Length > 0 ? rest : null;
    }

    private static bool IsTerminator(char c) => c is '.' or '!' or '?' or '\n' or '。' or '！' or '？';
}
