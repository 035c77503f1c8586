using System.Device.Spi;
using System.Drawing;
using Iot.Device.Apa102;

namespace StepAudio.Appliance.Hardware.LedRing;

/// <summary>
/// An APA102 chain through Iot.Device.Apa102. Each frame is a 4-byte start frame, per LED
/// 0xE0|global-brightness then blue, green, red, and an end frame; the 5-bit global brightness is
/// kept at full because <see cref="LedAnimator"/> already scales the colours. The binding's 32-bit
/// end frame clocks data through up to 64 LEDs; beyond that the tail shows each frame one frame late.
/// </summary>
public sealed class Apa102Strip : ILedStrip
{
    private readonly Apa102 _device;
    private readonly bool _shouldDispose;
    private bool _disposed;

    /// <param name="spiDevice">The SPI device the chain's clock and data lines hang off.</param>
    /// <param name="count">Number of LEDs in the chain.</param>
    /// <param name="shouldDispose">True to dispose <paramref name="spiDevice"/> with this strip.</param>
    public Apa102Strip(SpiDevice spiDevice, int count, bool shouldDispose = true)
    {
        ArgumentNullException.ThrowIfNull(spiDevice);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _device = new Apa102(spiDevice, count);
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
        var target = _device.Pixels;
        for (var i = 0; i < pixels.Length; i++)
        {
            var p = pixels[i];
            target[i] = Color.FromArgb(255, p.R, p.G, p.B);
        }

        _device.Flush();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // The binding's Dispose also disposes the SPI device it was given, so it runs only when we own it.
        if (_shouldDispose)
        {
            _device.Dispose();
        }
    }
}
