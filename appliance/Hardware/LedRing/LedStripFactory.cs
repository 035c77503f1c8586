using System.Device.Spi;

namespace StepAudio.Appliance.Hardware.LedRing;

/// <summary>Opens the SPI device named by <see cref="LedRingOptions"/> and wraps it in the matching strip.</summary>
public static class LedStripFactory
{
    /// <summary>
    /// Returns a strip that owns its SPI device. Throws <see cref="LedRingUnavailableException"/> when
    /// the device node is missing or cannot be opened, before any frame is due.
    /// </summary>
    public static ILedStrip Open(LedRingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The Linux SPI driver opens its node lazily, on the first frame; checking here turns a
        // failure on the render timer into a clear error at start.
        var node = $"/dev/spidev{options.SpiBusId}.{options.ChipSelectLine}";
        if (OperatingSystem.IsLinux() && !File.Exists(node))
        {
            throw new LedRingUnavailableException(
                $"LED ring: {node} does not exist. Enable SPI (e.g. dtparam=spi=on) or fix " +
                $"{LedRingOptions.SectionName}:{nameof(LedRingOptions.SpiBusId)} / {nameof(LedRingOptions.ChipSelectLine)}.");
        }

        var settings = new SpiConnectionSettings(options.SpiBusId, options.ChipSelectLine)
        {
            Mode = SpiMode.Mode0,
            DataBitLength = 8,
            ClockFrequency = options.Driver == LedDriver.Ws2812b ? Ws2812bStrip.SpiClockFrequencyHz : options.ClockFrequencyHz,
        };

        SpiDevice spi;
        try
        {
            spi = SpiDevice.Create(settings);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            throw new LedRingUnavailableException($"LED ring: cannot open {node}: {ex.Message}", ex);
        }

        try
        {
            return options.Driver == LedDriver.Ws2812b
                ? new Ws2812bStrip(spi, options.LedCount, shouldDispose: true)
                : new Apa102Strip(spi, options.LedCount, shouldDispose: true);
        }
        catch
        {
            spi.Dispose();
            throw;
        }
    }
}
