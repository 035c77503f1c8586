namespace StepAudio.Engine.Link;

/// <summary>
/// Finds <c>&lt;audio_N&gt;</c> tokens in text that arrives in arbitrary pieces (a token may be split
/// across SSE events). Text that is not an audio token (EOS text, whitespace, stray words) is skipped;
/// ids outside 0..5119 are counted in <see cref="RejectedCount"/> and dropped. Allocates nothing.
/// </summary>
internal sealed class AudioTokenParser
{
    // Longest digit run accepted; "<audio_00005119>" is not something a tokenizer emits.
    private const int MaxDigits = 5;

    private int _matched;   // characters of "<audio_" matched so far; Prefix.Length means in the digits
    private int _digits;
    private int _value;

    /// <summary>Well-formed tokens whose id was outside 0..5119.</summary>
    public int RejectedCount { get; private set; }

    /// <summary>True when a token has started but not finished (the next chunk continues it).</summary>
    public bool InsideToken => _matched > 0;

    /// <summary>Forgets a partly seen token and the rejected count.</summary>
    public void Reset()
    {
        _matched = 0;
        _digits = 0;
        _value = 0;
        RejectedCount = 0;
    }

    /// <summary>
    /// Parses the next piece of text and writes the ids it completes to <paramref name="destination"/>.
    /// A piece of n characters completes at most n / 9 + 1 tokens.
    /// </summary>
    /// <returns>The number of ids written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small for the ids completed.</exception>
    public int Feed(ReadOnlySpan<char> text, Span<int> destination)
    {
        string prefix = AudioTokenText.Prefix;
        int count = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (_matched < prefix.Length)
            {
                if (c == prefix[_matched])
                {
                    _matched++;
                }
                else
                {
                    // A '<' can begin a new token right where the last attempt failed.
                    _matched = c == '<' ? 1 : 0;
                }

                continue;
            }

            if (c is >= '0' and <= '9' && _digits < MaxDigits)
            {
                _value = _value * 10 + (c - '0');
                _digits++;
                continue;
            }

            if (c == '>' && _digits > 0)
            {
                if (_value <= AudioTokenText.MaxId)
                {
                    if (count == destination.Length)
                    {
                        throw new ArgumentException(
                            $"Destination holds {destination.Length} ids; text of {text.Length} chars needs up to {text.Length / 9 + 1}.",
                            nameof(destination));
                    }

                    destination[count++] = _value;
                }
                else
                {
                    RejectedCount++;
                }
            }

            _matched = c == '<' ? 1 : 0;
            _digits = 0;
            _value = 0;
        }

        return count;
    }
}
