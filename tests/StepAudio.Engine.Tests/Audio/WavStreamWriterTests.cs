using System.Buffers.Binary;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Tests.Audio.Fakes;
using Xunit;

namespace StepAudio.Engine.Tests.Audio;

public sealed class WavStreamWriterTests
{
    [Theory]
    [InlineData(WavSampleFormat.Pcm16, 1)]
    [InlineData(WavSampleFormat.Pcm24, 1)]
    [InlineData(WavSampleFormat.Pcm32, 2)]
    [InlineData(WavSampleFormat.Float32, 6)]
    public void Complete_WhenWrittenInChunks_ThenBytesMatchTheWholeFileWriter(WavSampleFormat format, int channels)
    {
        var samples = Signals.Noise(channels * 4001, seed: 9);
        using var whole = new MemoryStream();
        WavFile.Write(whole, samples, 24000, channels, format);
        using var streamed = new MemoryStream();

        using (var writer = new WavStreamWriter(streamed, 24000, channels, format, leaveOpen: true))
        {
            for (var start = 0; start < samples.Length; start += channels * 333)
            {
                writer.Write(samples.AsSpan(start, Math.Min(channels * 333, samples.Length - start)));
            }
        }

        Assert.Equal(whole.ToArray(), streamed.ToArray());
    }

    [Fact]
    public void Complete_WhenStreamCannotSeek_ThenPlaceholdersStayAndReaderTakesDataToTheEnd()
    {
        using var backing = new MemoryStream();
        using (var writer = new WavStreamWriter(new NonSeekableStream(backing), 16000, 1, leaveOpen: true))
        {
            writer.Write([0.5f, -0.5f, 0.25f]);
        }

        var bytes = backing.ToArray();
        Assert.Equal(0xFFFFFFFFu, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
        Assert.Equal([0.5f, -0.5f, 0.25f], WavFile.Read(new MemoryStream(bytes)).Samples);
    }

    [Fact]
    public void Complete_WhenHeaderDoesNotStartAtZero_ThenPatchesTheRightBytes()
    {
        using var stream = new MemoryStream();
        stream.Write("prefix"u8);

        using (var writer = new WavStreamWriter(stream, 16000, 1, leaveOpen: true))
        {
            writer.Write([0.5f, 0.25f]);
        }

        stream.Position = 6;
        Assert.Equal([0.5f, 0.25f], WavFile.Read(stream).Samples);
    }

    [Fact]
    public void Write_WhenComplete_ThenThrowsInvalidOperation()
    {
        using var writer = new WavStreamWriter(new MemoryStream(), 16000, 1);
        writer.Complete();

        Assert.Throws<InvalidOperationException>(() => writer.Write([0f]));
    }

    [Fact]
    public void Write_WhenNotWholeFrames_ThenThrowsArgumentException()
    {
        using var writer = new WavStreamWriter(new MemoryStream(), 16000, 2);

        var error = Assert.Throws<ArgumentException>(() => writer.Write([0f, 0f, 0f]));

        Assert.Contains("2-channel", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_WhenWarm_ThenAllocatesNothing()
    {
        using var writer = new WavStreamWriter(Stream.Null, 24000, 1);
        var chunk = Signals.Noise(24000, seed: 2);
        writer.Write(chunk);

        var before = GC.GetAllocatedBytesForCurrentThread();
        writer.Write(chunk);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Dispose_ThenDisposesTheStreamOnlyWhenItOwnsIt(bool leaveOpen, bool expectDisposed)
    {
        var stream = new NonSeekableStream(new MemoryStream());

        new WavStreamWriter(stream, 16000, 1, leaveOpen: leaveOpen).Dispose();

        Assert.Equal(expectDisposed, stream.WasDisposed);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(16000, 0)]
    [InlineData(16000, 33)]
    public void Constructor_WhenFormatOutOfRange_ThenThrows(int sampleRate, int channels)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WavStreamWriter(new MemoryStream(), sampleRate, channels));
    }
}
