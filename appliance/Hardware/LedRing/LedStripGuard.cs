namespace StepAudio.Appliance.Hardware.LedRing;

internal static class LedStripGuard
{
    public static void ThrowIfWrongLength(ReadOnlySpan<LedColor> pixels, int count)
    {
        if (pixels.Length != count)
        {
            throw new ArgumentException($"A frame must hold exactly {count} colours (one per LED), not {pixels.Length}.", nameof(pixels));
        }
    }
}
