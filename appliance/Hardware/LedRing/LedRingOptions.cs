using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Appliance.Hardware.LedRing;

/// <summary>Which LED chip the ring is built from.</summary>
public enum LedDriver
{
    /// <summary>APA102 (DotStar): clock and data lines, driven directly over SPI.</summary>
    Apa102,

    /// <summary>WS2812B (NeoPixel): one data line, bit timing produced by the SPI clock at 2.4 MHz.</summary>
    Ws2812b,
}

/// <summary>The LED ring: chip, size, where it is wired and how bright and smooth it runs.</summary>
public sealed class LedRingOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Hardware:LedRing";

    /// <summary>The LED chip.</summary>
    public LedDriver Driver { get; set; } = LedDriver.Apa102;

    /// <summary>Number of LEDs in the ring.</summary>
    [Range(1, 1024)]
    public int LedCount { get; set; } = 12;

    /// <summary>SPI bus (the X of /dev/spidevX.Y).</summary>
    [Range(0, 255)]
    public int SpiBusId { get; set; }

    /// <summary>SPI chip select line (the Y of /dev/spidevX.Y).</summary>
    [Range(0, 255)]
    public int ChipSelectLine { get; set; }

    /// <summary>SPI clock for APA102 in Hz. WS2812B ignores it: its encoding needs exactly 2.4 MHz.</summary>
    [Range(100_000, 32_000_000)]
    public int ClockFrequencyHz { get; set; } = 8_000_000;

    /// <summary>Overall brightness, 0 (dark) to 1 (full); every colour is scaled by it.</summary>
    [Range(0.0, 1.0)]
    public float Brightness { get; set; } = 0.5f;

    /// <summary>Frames per second of the animation timer.</summary>
    [Range(1, 120)]
    public int FrameRate { get; set; } = 30;

    /// <inheritdoc />
    /// <remarks>A driver number the binder accepts but no strip answers to.</remarks>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Driver))
        {
            yield return new ValidationResult($"'{(int)Driver}' is not a known driver (Apa102 or Ws2812b)", [nameof(Driver)]);
        }
    }
}

/// <summary>The attribute checks and <see cref="LedRingOptions.Validate"/>, generated.</summary>
[OptionsValidator]
public sealed partial class LedRingOptionsValidator : IValidateOptions<LedRingOptions>;
