using System.Buffers.Binary;

namespace StepAudio.Engine.Audio;

/// <summary>
/// Parses a whole RIFF/WAVE image held in memory. Every offset is checked against the image length before it is
/// read, and every chunk moves the cursor forward by at least eight bytes, so no chunk size can make it hang.
/// </summary>
/// <remarks>
/// Leniencies, each because real writers produce it: the RIFF size is not trusted (the file length is); a data
/// chunk size of 0 or 0xFFFFFFFF (left by writers that stream and never patch the header) means "to the end of the
/// file"; a partial last frame (a recorder cut off mid-frame) is dropped; the byte rate field is not checked.
/// </remarks>
internal static class WavDecoder
{
    private const int RiffHeaderLength = 12;
    private const int ChunkHeaderLength = 8;
    private const int MinFmtLength = 16;
    private const int ExtensibleFmtLength = 40;

    // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT share this tail after their two-byte format tag.
    private static ReadOnlySpan<byte> SubFormatGuidTail =>
        [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    public static WavAudio Decode(ReadOnlySpan<byte> image, string? sourceName)
    {
        if (image.Length < RiffHeaderLength)
        {
            throw Fail(sourceName, $"truncated header: {image.Length} bytes, a WAV file needs at least {RiffHeaderLength} before its first chunk");
        }

        if (!image[..4].SequenceEqual("RIFF"u8))
        {
            throw Fail(sourceName, $"not a RIFF file (starts with {Describe(image[..4])}, expected 'RIFF')");
        }

        if (!image[8..12].SequenceEqual("WAVE"u8))
        {
            throw Fail(sourceName, $"not a WAVE file (RIFF form type is {Describe(image[8..12])}, expected 'WAVE')");
        }

        WavFormat? format = null;
        var dataOffset = -1;
        var dataLength = 0;
        var position = RiffHeaderLength;
        while (image.Length - position >= ChunkHeaderLength && !(format is not null && dataOffset >= 0))
        {
            var id = image.Slice(position, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(image[(position + 4)..]);
            var bodyOffset = position + ChunkHeaderLength;
            long remaining = image.Length - bodyOffset;

            if (id.SequenceEqual("data"u8))
            {
                if (size == 0 || size == WavHeader.UnknownSize)
                {
                    size = (uint)remaining;
                }
                else if (size > remaining)
                {
                    throw Fail(sourceName, $"truncated file: the data chunk declares {size} bytes but only {remaining} bytes follow");
                }

                dataOffset = bodyOffset;
                dataLength = (int)size;
            }
            else if (size > remaining)
            {
                throw Fail(sourceName, $"truncated header: chunk {Describe(id)} at offset {position} declares {size} bytes but only {remaining} bytes follow");
            }
            else if (id.SequenceEqual("fmt "u8))
            {
                format = ParseFormat(image.Slice(bodyOffset, (int)size), sourceName);
            }

            // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
            var next = bodyOffset + (long)size + (size & 1);
            position = (int)Math.Min(next, image.Length);
        }

        if (format is null)
        {
            throw Fail(sourceName, "missing fmt chunk");
        }

        if (dataOffset < 0)
        {
            throw Fail(sourceName, "missing data chunk");
        }

        var f = format.Value;
        var frames = dataLength / f.BlockAlign;
        var samples = new float[(long)frames * f.Channels];
        WavSampleCodec.Decode(image.Slice(dataOffset, frames * f.BlockAlign), f.SampleFormat, samples);
        return new WavAudio(samples, f.SampleRate, f.Channels, f.SampleFormat);
    }

    private static WavFormat ParseFormat(ReadOnlySpan<byte> fmt, string? sourceName)
    {
        if (fmt.Length < MinFmtLength)
        {
            throw Fail(sourceName, $"fmt chunk is {fmt.Length} bytes, it needs at least {MinFmtLength}");
        }

        var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        if (tag == WavHeader.FormatExtensible)
        {
            if (fmt.Length < ExtensibleFmtLength)
            {
                throw Fail(sourceName, $"WAVE_FORMAT_EXTENSIBLE fmt chunk is {fmt.Length} bytes, it needs {ExtensibleFmtLength}");
            }

            var guid = fmt.Slice(24, 16);
            if (!guid[2..].SequenceEqual(SubFormatGuidTail))
            {
                throw Fail(sourceName, $"unsupported WAVE_FORMAT_EXTENSIBLE sub-format {new Guid(guid)} (supported: PCM, IEEE float)");
            }

            tag = BinaryPrimitives.ReadUInt16LittleEndian(guid);
        }

        if (channels == 0)
        {
            throw Fail(sourceName, "fmt chunk declares zero channels");
        }

        if (channels > WavAudio.MaxChannels)
        {
            throw Fail(sourceName, $"fmt chunk declares {channels} channels, at most {WavAudio.MaxChannels} are supported");
        }

        if (sampleRate == 0)
        {
            throw Fail(sourceName, "fmt chunk declares a sample rate of zero");
        }

        if (sampleRate > int.MaxValue)
        {
            throw Fail(sourceName, $"fmt chunk declares an impossible sample rate of {sampleRate} Hz");
        }

        var sampleFormat = (tag, bits) switch
        {
            (WavHeader.FormatPcm, 16) => WavSampleFormat.Pcm16,
            (WavHeader.FormatPcm, 24) => WavSampleFormat.Pcm24,
            (WavHeader.FormatPcm, 32) => WavSampleFormat.Pcm32,
            (WavHeader.FormatFloat, 32) => WavSampleFormat.Float32,
            (WavHeader.FormatPcm, _) => throw Fail(sourceName, $"unsupported PCM bit depth {bits} (supported: 16, 24, 32)"),
            (WavHeader.FormatFloat, _) => throw Fail(sourceName, $"unsupported IEEE float bit depth {bits} (supported: 32)"),
            _ => throw Fail(sourceName, $"unsupported format tag 0x{tag:X4}{NameOf(tag)} (supported: PCM, IEEE float, extensible PCM/float)"),
        };

        var expectedAlign = channels * (bits / 8);
        if (blockAlign != expectedAlign)
        {
            throw Fail(sourceName, $"block align {blockAlign} is inconsistent with {channels} channels of {bits} bits (expected {expectedAlign})");
        }

        return new WavFormat(sampleFormat, channels, (int)sampleRate, blockAlign);
    }

    private static string NameOf(ushort tag) => tag switch
    {
        0x0002 => " (MS ADPCM)",
        0x0006 => " (A-law)",
        0x0007 => " (mu-law)",
        0x0011 => " (IMA ADPCM)",
        0x0055 => " (MPEG layer 3)",
        _ => string.Empty,
    };

    private static string Describe(ReadOnlySpan<byte> fourCc)
    {
        Span<char> text = stackalloc char[4];
        for (var i = 0; i < 4; i++)
        {
            text[i] = fourCc[i] is >= 0x20 and < 0x7F ? (char)fourCc[i] : '?';
        }

        return $"'{text}'";
    }

    private static WavFormatException Fail(string? sourceName, string problem) => WavFormatException.For(sourceName, problem);

    private readonly record struct WavFormat(WavSampleFormat SampleFormat, int Channels, int SampleRate, int BlockAlign);
}
