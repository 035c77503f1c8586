using System.Device.Spi;
using System.Drawing;
using Iot.Device.Ws28xx;

namespace StepAudio.Appliance.Hardware.LedRing;

/// <summary>
/// A WS2812B chain through Iot.Device.Ws28xx: the binding turns each data bit into three SPI bits
/// (110 for one, 100 for zero, green-red-blue order), so the SPI device must run at 2.4 MHz.
/// </summary>
public sealed class Ws2812bStrip : ILedStrip
{
    /// <summary>The SPI clock the WS2812B encoding needs (three SPI bits per 800 kHz data bit).</summary>
    public const int SpiClockFrequencyHz = 2_400_000;

    private readonly Ws2812b _device;
    private readonly SpiDevice _spiDevice;
    private readonly bool _shouldDispose;
    private bool _disposed;

    /// <param name="spiDevice">The SPI device whose MOSI line drives the chain's data input.</param>
    /// <param name="count">Number of LEDs in the chain.</param>
    /// <param name="shouldDispose">True to dispose <paramref name="spiDevice"/> with this strip.</param>
    public Ws2812bStrip(SpiDevice spiDevice, int count, bool shouldDispose = true)
    {
        ArgumentNullException.ThrowIfNull(spiDevice);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _spiDevice = spiDevice;
        _device = new Ws2812b(spiDevice, count, 1);
        _shouldDispose = shouldDispose;
        Count = count;
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public void Show(ReadOnlySpan<LedColor> pixels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        LedStripGuard.ThrowIfWrongLength(pixels, Count);
        var image = _device.Image;
        for (var i = 0; i < pixels.Length; i++)
        {
            var p = pixels[i];
            image.SetPixel(i, 0, Color.FromArgb(p.R, p.G, p.B));
        }

        _device.Update();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_shouldDispose)
        {
            _spiDevice.Dispose();
        }
    }
}
