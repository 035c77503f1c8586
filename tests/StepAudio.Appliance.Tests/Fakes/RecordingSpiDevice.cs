using System.Device.Spi;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>An SPI device that keeps a copy of every buffer written to it, one entry per transfer.</summary>
public sealed class RecordingSpiDevice : SpiDevice
{
    private readonly Lock _gate = new();
    private readonly List<byte[]> _frames = [];
    private Exception? _failWith;

    public RecordingSpiDevice(SpiConnectionSettings? settings = null)
    {
        ConnectionSettings = settings ?? new SpiConnectionSettings(0, 0);
    }

    public override SpiConnectionSettings ConnectionSettings { get; }

    public bool IsDisposed { get; private set; }

    /// <summary>Every write so far, oldest first.</summary>
    public IReadOnlyList<byte[]> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    public byte[] LastFrame
    {
        get
        {
            lock (_gate)
            {
                return _frames.Count > 0 ? _frames[^1] : throw new InvalidOperationException("Nothing was written to the SPI device.");
            }
        }
    }

    /// <summary>Makes every following write throw <paramref name="exception"/> (null: writes work again).</summary>
    public void FailWrites(Exception? exception) => _failWith = exception;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (_failWith is { } failure)
        {
            throw failure;
        }

        lock (_gate)
        {
            _frames.Add(buffer.ToArray());
        }
    }

    public override void Read(Span<byte> buffer) => buffer.Clear();

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        readBuffer.Clear();
    }

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
    }
}
