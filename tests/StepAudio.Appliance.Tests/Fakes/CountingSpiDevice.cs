using System.Device.Spi;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>An SPI device that only counts writes (no copies), for measuring a driver's own allocations.</summary>
public sealed class CountingSpiDevice : SpiDevice
{
    public int Writes { get; private set; }

    public override SpiConnectionSettings ConnectionSettings { get; } = new(0, 0);

    public override void Write(ReadOnlySpan<byte> buffer) => Writes++;

    public override void Read(Span<byte> buffer) => buffer.Clear();

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Writes++;
        readBuffer.Clear();
    }
}
