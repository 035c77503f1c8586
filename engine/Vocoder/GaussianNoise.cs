namespace StepAudio.Engine.Vocoder;

/// <summary>
/// The flow's starting noise as a pure function of (seed, frame, bin): the same frame of the utterance
/// gets the same noise whether it is vocoded whole or in streaming chunks, so the two can be compared,
/// and nothing needs to be stored however long the utterance is. Standard normal via Box-Muller over a
/// SplitMix64 counter hash.
/// </summary>
internal static class GaussianNoise
{
    /// <summary>Fills channel-major rows (<paramref name="stride"/> floats per bin) with noise for absolute frames <paramref name="firstFrame"/>...</summary>
    public static void Fill(ulong seed, long firstFrame, int frames, int bins, Span<float> destination, int stride, int offset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, ((bins - 1) * stride) + offset + frames, nameof(destination));
        for (var c = 0; c < bins; c++)
        {
            var row = destination.Slice((c * stride) + offset, frames);
            for (var i = 0; i < frames; i++)
            {
                row[i] = Sample(seed, firstFrame + i, c);
            }
        }
    }

    /// <summary>One standard-normal sample for (frame, bin).</summary>
    public static float Sample(ulong seed, long frame, int bin)
    {
        var counter = seed ^ (((ulong)frame << 16) | (uint)bin);
        var a = SplitMix(counter);
        var b = SplitMix(a);
        // 53-bit uniforms in (0, 1]; the +1 keeps the logarithm finite.
        var u1 = ((a >> 11) + 1) * (1.0 / 9007199254740992.0);
        var u2 = (b >> 11) * (1.0 / 9007199254740992.0);
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
