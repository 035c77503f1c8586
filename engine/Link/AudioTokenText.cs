using System.Globalization;
using System.Text;

namespace StepAudio.Engine.Link;

/// <summary>
/// Step-Audio's text form of audio tokens: vq02 n as <c>&lt;audio_n&gt;</c> (0..1023), vq06 m as
/// <c>&lt;audio_{1024+m}&gt;</c> (1024..5119), concatenated with no separator. The LLM id of
/// <c>&lt;audio_n&gt;</c> is 65536 + n.
/// </summary>
internal static class AudioTokenText
{
    /// <summary>Number of audio token ids (1024 vq02 + 4096 vq06).</summary>
    public const int CodebookSize = 5120;

    /// <summary>The largest audio token id.</summary>
    public const int MaxId = CodebookSize - 1;

    /// <summary>The LLM vocabulary id of <c>&lt;audio_0&gt;</c>.</summary>
    public const int LlmIdOffset = 65536;

    /// <summary>Longest text of one token: <c>&lt;audio_5119&gt;</c>.</summary>
    public const int MaxTokenLength = 12;

    internal const string Prefix = "<audio_";

    /// <summary><c>&lt;audio_n&gt;</c> for one id.</summary>
    /// <exception cref="ArgumentOutOfRangeException">n is not in 0..5119.</exception>
    public static string Format(int n)
    {
        Span<char> buffer = stackalloc char[MaxTokenLength];
        int written = FormatTo(n, buffer);
        return new string(buffer[..written]);
    }

    /// <summary>Writes <c>&lt;audio_n&gt;</c> into <paramref name="destination"/> (at least <see cref="MaxTokenLength"/> chars) and returns its length.</summary>
    /// <exception cref="ArgumentOutOfRangeException">n is not in 0..5119.</exception>
    public static int FormatTo(int n, Span<char> destination)
    {
        CheckId(n, nameof(n));
        Prefix.AsSpan().CopyTo(destination);
        n.TryFormat(destination[Prefix.Length..], out int digits, default, CultureInfo.InvariantCulture);
        destination[Prefix.Length + digits] = '>';
        return Prefix.Length + digits + 1;
    }

    /// <summary>The token string of a whole utterance, as the chat model expects it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in 0..5119.</exception>
    public static string FormatAll(ReadOnlySpan<int> ids)
    {
        var builder = new StringBuilder(ids.Length * 11);
        Span<char> buffer = stackalloc char[MaxTokenLength];
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] > MaxId)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), ids[i], $"Audio token at index {i} is {ids[i]}, outside 0..{MaxId}.");
            }

            builder.Append(buffer[..FormatTo(ids[i], buffer)]);
        }

        return builder.ToString();
    }

    /// <summary>All audio ids in a complete text; anything else in the text is ignored.</summary>
    public static int[] ParseAll(ReadOnlySpan<char> text)
    {
        var parser = new AudioTokenParser();
        var ids = new int[text.Length / 9 + 1];
        int count = parser.Feed(text, ids);
        return ids.AsSpan(0, count).ToArray();
    }

    internal static void CheckId(int n, string paramName)
    {
        if ((uint)n > MaxId)
        {
            throw new ArgumentOutOfRangeException(paramName, n, $"Audio token id must be in 0..{MaxId}.");
        }
    }
}
