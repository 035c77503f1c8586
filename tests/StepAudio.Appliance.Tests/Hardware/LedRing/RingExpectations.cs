using StepAudio.Appliance.Hardware.LedRing;

namespace StepAudio.Appliance.Tests.Hardware.LedRing;

/// <summary>
/// The colours a 12-LED ring at full brightness must show on the first frame of each state, written
/// out by hand from the design (not computed by the animator), and the wire encodings of each chip.
/// </summary>
internal static class RingExpectations
{
    public const int Count = 12;

    public static TheoryData<DeviceLedState> AllStates => [.. Enum.GetValues<DeviceLedState>()];

    public static LedColor[] FirstFrame(DeviceLedState state)
    {
        return state switch
        {
            DeviceLedState.Idle => Solid(0, 0, 0),
            DeviceLedState.Listening => Solid(0, 0, 255),

            // Violet head on LED 0, a three-LED tail behind it (11, 10, 9) at 3/4, 1/2, 1/4.
            DeviceLedState.Thinking => Ring(
                (0, new LedColor(128, 0, 255)),
                (11, new LedColor(96, 0, 191)),
                (10, new LedColor(64, 0, 128)),
                (9, new LedColor(32, 0, 64))),

            // Cyan at the pulse's floor of one quarter.
            DeviceLedState.Speaking => Solid(0, 64, 64),
            DeviceLedState.Muted => Solid(255, 0, 0),
            DeviceLedState.Offline => Solid(255, 96, 0),

            // A bright green segment on 0, 11, 10 over an eighth-bright green ring.
            DeviceLedState.Updating => Updating(),
            DeviceLedState.Error => Solid(255, 0, 0),

            // Blue at the bottom of the follow-up breath: one fifth.
            DeviceLedState.FollowUp => Solid(0, 0, 51),
            _ => throw new ArgumentOutOfRangeException(nameof(state)),
        };
    }

    public static LedColor[] Solid(byte r, byte g, byte b) => Enumerable.Repeat(new LedColor(r, g, b), Count).ToArray();

    public static LedColor[] Ring(params (int Index, LedColor Color)[] lit)
    {
        var pixels = new LedColor[Count];
        foreach (var (index, color) in lit)
        {
            pixels[index] = color;
        }

        return pixels;
    }

    /// <summary>APA102 on the wire: 4 zero bytes, per LED 0xFF (0xE0 | full global brightness) B G R, then 4 x 0xFF.</summary>
    public static byte[] Apa102Frame(IReadOnlyList<LedColor> pixels)
    {
        var frame = new List<byte> { 0x00, 0x00, 0x00, 0x00 };
        foreach (var p in pixels)
        {
            frame.AddRange([0xFF, p.B, p.G, p.R]);
        }

        frame.AddRange([0xFF, 0xFF, 0xFF, 0xFF]);
        return [.. frame];
    }

    /// <summary>
    /// Reads colours back from a WS2812B SPI frame: 9 bytes per LED, green, red, blue, each data bit sent
    /// as three SPI bits (110 = one, 100 = zero), most significant first; the rest must be the zero reset.
    /// </summary>
    public static LedColor[] DecodeWs2812b(byte[] frame, int count)
    {
        Assert.True(frame.Length >= count * 9, $"frame of {frame.Length} bytes is too short for {count} LEDs");
        Assert.All(frame[(count * 9)..], b => Assert.Equal(0, b));
        var pixels = new LedColor[count];
        var grb = new byte[3];
        for (var led = 0; led < count; led++)
        {
            for (var channel = 0; channel < 3; channel++)
            {
                var bits = 0;
                for (var i = 0; i < 3; i++)
                {
                    bits = (bits << 8) | frame[(led * 9) + (channel * 3) + i];
                }

                var value = 0;
                for (var bit = 7; bit >= 0; bit--)
                {
                    var symbol = (bits >> (bit * 3)) & 0b111;
                    Assert.True(symbol is 0b110 or 0b100, $"LED {led}: symbol {Convert.ToString(symbol, 2)} is neither 110 nor 100");
                    value = (value << 1) | (symbol == 0b110 ? 1 : 0);
                }

                grb[channel] = (byte)value;
            }

            pixels[led] = new LedColor(grb[1], grb[0], grb[2]);
        }

        return pixels;
    }

    private static LedColor[] Updating()
    {
        var pixels = Solid(0, 32, 0);
        pixels[0] = pixels[11] = pixels[10] = new LedColor(0, 255, 0);
        return pixels;
    }
}
