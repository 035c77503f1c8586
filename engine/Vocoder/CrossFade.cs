namespace StepAudio.Engine.Vocoder;

/// <summary>
/// CosyVoice's cross-fade, <c>new[:L] = new[:L] * w[:L] + old[-L:] * w[L:]</c>, over a Hamming window of
/// length 2L. The two halves are normalised so that <c>w[n] + w[n + L] = 1</c>: CosyVoice's raw Hamming
/// halves sum to about 1.08, a level bump of 8 % that starts and ends with a step at the fade's edges.
/// Normalised, two equal signals fade into themselves and the fade adds no step of its own.
/// </summary>
internal static class CrossFade
{
    /// <summary>Writes the normalised fade window of length <c>2 * overlap</c> (rising half, then falling half).</summary>
    public static void Window(int overlap, Span<float> window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window.Length, 2 * overlap, nameof(window));
        if (overlap == 0)
        {
            return;
        }

        var length = 2 * overlap;
        for (var n = 0; n < overlap; n++)
        {
            var rising = Hamming(n, length);
            var falling = Hamming(n + overlap, length);
            var sum = rising + falling;
            window[n] = (float)(rising / sum);
            window[n + overlap] = (float)(falling / sum);
        }
    }

    /// <summary>The symmetric Hamming window (numpy's <c>np.hamming</c>) at <paramref name="n"/>.</summary>
    public static double Hamming(int n, int length) =>
        length == 1 ? 1.0 : 0.54 - (0.46 * Math.Cos(2 * Math.PI * n / (length - 1)));

    /// <summary>
    /// Fades <paramref name="fadeIn"/>'s head into <paramref name="fadeOut"/>'s tail in place:
    /// <c>fadeIn[n] = fadeIn[n] * w[n] + fadeOut[^L + n] * w[L + n]</c> for n &lt; L.
    /// </summary>
    public static void Apply(Span<float> fadeIn, ReadOnlySpan<float> fadeOut, ReadOnlySpan<float> window)
    {
        var overlap = window.Length / 2;
        ArgumentOutOfRangeException.ThrowIfLessThan(fadeIn.Length, overlap, nameof(fadeIn));
        ArgumentOutOfRangeException.ThrowIfLessThan(fadeOut.Length, overlap, nameof(fadeOut));
        var tail = fadeOut[^overlap..];
        for (var n = 0; n < overlap; n++)
        {
            fadeIn[n] = (fadeIn[n] * window[n]) + (tail[n] * window[overlap + n]);
        }
    }
}
