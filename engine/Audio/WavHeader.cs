using System.Buffers.Binary;

namespace StepAudio.Engine.Audio;

/// <summary>
/// The canonical header this codebase writes: RIFF, WAVE, a 16-byte <c>fmt </c> chunk for PCM, or an 18-byte one plus
/// a <c>fact</c> chunk for IEEE float (the spec asks non-PCM formats for both), then the <c>data</c> chunk header.
/// </summary>
internal static class WavHeader
{
    public const int RiffSizeOffset = 4;
    public const ushort FormatPcm = 1;
    public const ushort FormatFloat = 3;
    public const ushort FormatExtensible = 0xFFFE;

    /// <summary>A placeholder for sizes not yet known; readers treat it as "to the end of the file".</summary>
    public const uint UnknownSize = 0xFFFFFFFF;

    private const int PcmLength = 44;
    private const int FloatLength = 58;

    public static int Length(WavSampleFormat format) => format == WavSampleFormat.Float32 ? FloatLength : PcmLength;

    /// <summary>Where the <c>data</c> chunk's size field sits.</summary>
    public static int DataSizeOffset(WavSampleFormat format) => Length(format) - 4;

    /// <summary>Where the <c>fact</c> chunk's frame count sits; null when the format has no <c>fact</c> chunk.</summary>
    public static int? FactFramesOffset(WavSampleFormat format) => format == WavSampleFormat.Float32 ? 46 : null;

    /// <summary>The largest data chunk that keeps the RIFF size inside 32 bits (padding included).</summary>
    public static long MaxDataBytes(WavSampleFormat format) => uint.MaxValue - (Length(format) - 8) - 1;

    /// <summary>Writes the header; pass <see cref="UnknownSize"/> for sizes a streaming writer patches later.</summary>
    public static void Write(Span<byte> header, WavSampleFormat format, int sampleRate, int channels, uint dataBytes, uint frames)
    {
        var bytesPerSample = WavSampleCodec.BytesPerSample(format);
        var blockAlign = channels * bytesPerSample;
        var isFloat = format == WavSampleFormat.Float32;
        var length = Length(format);

        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], RiffSize(format, dataBytes));
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], isFloat ? 18u : 16u);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], isFloat ? FormatFloat : FormatPcm);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)sampleRate * (uint)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], (ushort)(bytesPerSample * 8));
        if (isFloat)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header[36..], 0);
            "fact"u8.CopyTo(header[38..]);
            BinaryPrimitives.WriteUInt32LittleEndian(header[42..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(header[46..], frames);
        }

        "data"u8.CopyTo(header[(length - 8)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[(length - 4)..], dataBytes);
    }

    /// <summary>The RIFF chunk size for a given data size, counting the pad byte an odd-sized data chunk needs.</summary>
    public static uint RiffSize(WavSampleFormat format, uint dataBytes) =>
        dataBytes == UnknownSize ? UnknownSize : (uint)(Length(format) - 8) + dataBytes + (dataBytes & 1);
}
