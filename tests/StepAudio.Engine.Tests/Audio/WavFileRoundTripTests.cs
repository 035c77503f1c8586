using System.Buffers.Binary;
using StepAudio.Engine.Audio;
using Xunit;

namespace StepAudio.Engine.Tests.Audio;

public sealed class WavFileRoundTripTests
{
    public static TheoryData<WavSampleFormat, int> FormatsAndChannels()
    {
        var cases = new TheoryData<WavSampleFormat, int>();
        foreach (var format in Enum.GetValues<WavSampleFormat>())
        {
            foreach (var channels in new[] { 1, 2, 6 })
            {
                cases.Add(format, channels);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(FormatsAndChannels))]
    public void Write_ThenRead_WhenAnyFormatAndChannelCount_ThenSamplesComeBackWithinOneStep(WavSampleFormat format, int channels)
    {
        var samples = Signals.Noise(channels * 1001, seed: channels, amplitude: 0.99);
        using var stream = new MemoryStream();

        WavFile.Write(stream, samples, 22050, channels, format);
        stream.Position = 0;
        var audio = WavFile.Read(stream);

        Assert.Equal(22050, audio.SampleRate);
        Assert.Equal(channels, audio.Channels);
        Assert.Equal(format, audio.SourceFormat);
        Assert.Equal(1001, audio.FrameCount);
        var step = format switch
        {
            WavSampleFormat.Pcm16 => 1.0 / 32768,
            WavSampleFormat.Pcm24 => 1.0 / 8388608,
            _ => 1e-7,
        };
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.InRange(audio.Samples[i] - samples[i], -step / 2 - 1e-9, step / 2 + 1e-9);
        }
    }

    [Theory]
    [MemberData(nameof(FormatsAndChannels))]
    public void Write_WhenAnyFormat_ThenHeaderSizesMatchTheFile(WavSampleFormat format, int channels)
    {
        using var stream = new MemoryStream();

        WavFile.Write(stream, new float[channels * 333], 16000, channels, format);
        var bytes = stream.ToArray();

        Assert.Equal(bytes.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
        var dataSize = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(FindChunk(bytes, "data") + 4));
        var bytesPerSample = format switch { WavSampleFormat.Pcm16 => 2, WavSampleFormat.Pcm24 => 3, _ => 4 };
        Assert.Equal(channels * 333 * bytesPerSample, dataSize);
        Assert.Equal(0, bytes.Length % 2);
    }

    [Fact]
    public void Write_WhenPcm16_ThenRoundsToNearestAndClips()
    {
        float[] samples = [1.5f, -2f, 1f, -1f, 0.6f / 32768, -0.6f / 32768, 0.4f / 32768, float.NaN];
        using var stream = new MemoryStream();

        WavFile.Write(stream, samples, 16000, 1);
        var data = stream.ToArray().AsSpan(44);

        short[] expected = [32767, -32768, 32767, -32768, 1, -1, 0, 0];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]));
        }
    }

    [Fact]
    public void Write_ThenRead_WhenPcm24OddFrameCount_ThenPadByteKeepsChunksAligned()
    {
        using var stream = new MemoryStream();

        WavFile.Write(stream, [0.25f, -0.5f, 0.125f], 48000, 1, WavSampleFormat.Pcm24);
        stream.Position = 0;
        var audio = WavFile.Read(stream);

        Assert.Equal(44 + 9 + 1, stream.Length);
        Assert.Equal([0.25f, -0.5f, 0.125f], audio.Samples);
    }

    [Fact]
    public void Write_ThenRead_WhenPath_ThenFileRoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wav-roundtrip-{Guid.NewGuid():N}.wav");
        try
        {
            WavFile.Write(path, [0.5f, -0.5f, 0.25f, -0.25f], 24000, 2);

            var audio = WavFile.Read(path);

            Assert.Equal([0.5f, -0.5f, 0.25f, -0.25f], audio.Samples);
            Assert.Equal(TimeSpan.FromTicks(2 * TimeSpan.TicksPerSecond / 24000), audio.Duration);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_WhenExtensiblePcm24AndFloat_ThenDecodesTheSubFormat()
    {
        var pcm = new WavImages().Riff().FmtExtensible(2, 48000, 24, 1).Chunk("data", [0, 0, 0x40, 0, 0, 0xC0]).ToArray();
        var ieee = new WavImages().Riff().FmtExtensible(1, 16000, 32, 3).Chunk("data", BitConverter.GetBytes(0.75f)).ToArray();

        var pcmAudio = WavFile.Read(new MemoryStream(pcm));
        var floatAudio = WavFile.Read(new MemoryStream(ieee));

        Assert.Equal([0.5f, -0.5f], pcmAudio.Samples);
        Assert.Equal(WavSampleFormat.Pcm24, pcmAudio.SourceFormat);
        Assert.Equal([0.75f], floatAudio.Samples);
        Assert.Equal(WavSampleFormat.Float32, floatAudio.SourceFormat);
    }

    [Fact]
    public void Read_WhenUnknownChunksWithOddSizes_ThenSkipsThemAndTheirPadding()
    {
        var image = new WavImages().Riff()
            .Chunk("LIST", [1, 2, 3, 4, 5])
            .Fmt(1, 1, 16000, 2, 16)
            .Chunk("junk", [9])
            .Chunk("data", [0, 0x40, 0, 0xC0])
            .Chunk("id3 ", [7, 7, 7])
            .ToArray();

        var audio = WavFile.Read(new MemoryStream(image));

        Assert.Equal([0.5f, -0.5f], audio.Samples);
    }

    [Fact]
    public void Read_WhenSizedDataChunkComesBeforeFmt_ThenStillDecodes()
    {
        var image = new WavImages().Riff().Chunk("data", [0, 0x40, 0, 0xC0]).Fmt(1, 1, 16000, 2, 16).ToArray();

        var audio = WavFile.Read(new MemoryStream(image));

        Assert.Equal([0.5f, -0.5f], audio.Samples);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0xFFFFFFFFu)]
    public void Read_WhenDataSizeLeftUnpatchedByStreamingWriter_ThenReadsToEndOfFile(uint declared)
    {
        var image = new WavImages().Riff().Fmt(1, 1, 16000, 2, 16).Chunk("data", [0, 0x40, 0, 0x20, 0, 0xC0], declared).ToArray();

        var audio = WavFile.Read(new MemoryStream(image));

        Assert.Equal([0.5f, 0.25f, -0.5f], audio.Samples);
    }

    [Fact]
    public void Read_WhenLastFrameIsPartial_ThenDropsOnlyThatFrame()
    {
        var image = new WavImages().Riff().Fmt(1, 2, 16000, 4, 16).Chunk("data", [0, 0x40, 0, 0xC0, 0, 0x20]).ToArray();

        var audio = WavFile.Read(new MemoryStream(image));

        Assert.Equal([0.5f, -0.5f], audio.Samples);
    }

    [Fact]
    public void Read_WhenFloatSamplesOutOfRange_ThenClampsAndSilencesNaN()
    {
        var data = new byte[12];
        BinaryPrimitives.WriteSingleLittleEndian(data, 3f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), float.NaN);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(8), float.NegativeInfinity);
        var image = new WavImages().Riff().Fmt(3, 1, 16000, 4, 32).Chunk("data", data).ToArray();

        var audio = WavFile.Read(new MemoryStream(image));

        Assert.Equal([1f, 0f, -1f], audio.Samples);
    }

    [Fact]
    public void Read_WhenStreamCannotSeek_ThenReadsItAll()
    {
        var image = WavImages.Pcm16Mono(500);

        var audio = WavFile.Read(new Fakes.NonSeekableStream(new MemoryStream(image)));

        Assert.Equal(500, audio.FrameCount);
    }

    private static int FindChunk(byte[] bytes, string id)
    {
        var position = 12;
        while (System.Text.Encoding.ASCII.GetString(bytes, position, 4) != id)
        {
            position += 8 + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position + 4));
        }

        return position;
    }
}
