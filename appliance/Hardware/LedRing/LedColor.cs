namespace StepAudio.Appliance.Hardware.LedRing;

/// <summary>One LED's colour, 8 bits per channel, before any driver-specific ordering.</summary>
public readonly record struct LedColor(byte R, byte G, byte B)
{
    /// <summary>All channels off.</summary>
    public static LedColor Off => default;

    /// <summary>This colour with every channel multiplied by <paramref name="factor"/> (clamped to 0..1), rounded half away from zero.</summary>
    public LedColor Scale(float factor)
    {
        var k = Math.Clamp(factor, 0f, 1f);
        return new LedColor(ScaleChannel(R, k), ScaleChannel(G, k), ScaleChannel(B, k));
    }

    private static byte ScaleChannel(byte value, float k) => (byte)MathF.Round(value * k, MidpointRounding.AwayFromZero);
}
