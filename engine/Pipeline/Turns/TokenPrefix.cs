namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>
/// How much of two interleaved token strings is the same from the start: what a server's prefix
/// cache can reuse when the second request follows the first.
/// </summary>
internal static class TokenPrefix
{
    private const int GroupSize = Tokenizer.AudioTokens.Vq02PerGroup + Tokenizer.AudioTokens.Vq06PerGroup;

    /// <summary>Leading ids equal in both.</summary>
    public static int CommonIds(ReadOnlySpan<int> first, ReadOnlySpan<int> second) => first.CommonPrefixLength(second);

    /// <summary>Leading whole groups (2 vq02 + 3 vq06 ids, 120 ms) equal in both.</summary>
    public static int CommonGroups(ReadOnlySpan<int> first, ReadOnlySpan<int> second) => CommonIds(first, second) / GroupSize;
}
