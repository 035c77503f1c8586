using System.Buffers.Binary;

namespace StepAudio.Engine.Tests.Audio;

/// <summary>Builds WAV images byte by byte, so tests can make the malformed ones no writer would.</summary>
internal sealed class WavImages
{
    private readonly MemoryStream _bytes = new();

    public static byte[] Pcm16Mono(int frames, int sampleRate = 16000)
    {
        var data = new byte[frames * 2];
        for (var i = 0; i < frames; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2 * i), (short)((i * 977) % 20000));
        }

        return new WavImages().Riff().Fmt(1, 1, sampleRate, 2, 16).Chunk("data", data).ToArray();
    }

    public WavImages Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public WavImages Riff(string id = "RIFF", string form = "WAVE", uint size = 0)
    {
        Raw(System.Text.Encoding.ASCII.GetBytes(id));
        U32(size);
        return Raw(System.Text.Encoding.ASCII.GetBytes(form));
    }

    public WavImages Fmt(ushort tag, ushort channels, int sampleRate, ushort blockAlign, ushort bits)
    {
        var body = new byte[16];
        WriteFmtFields(body, tag, channels, sampleRate, blockAlign, bits);
        return Chunk("fmt ", body);
    }

    public WavImages FmtExtensible(ushort channels, int sampleRate, ushort bits, ushort subFormatTag, bool validGuid = true)
    {
        var body = new byte[40];
        WriteFmtFields(body, 0xFFFE, channels, sampleRate, (ushort)(channels * bits / 8), bits);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(16), 22);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(18), bits);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(20), channels == 2 ? 3u : 4u);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(24), subFormatTag);
        byte[] tail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
        if (!validGuid)
        {
            tail[^1] = 0x72;
        }

        tail.CopyTo(body, 26);
        return Chunk("fmt ", body);
    }

    public WavImages Chunk(string id, ReadOnlySpan<byte> body, uint? declaredSize = null, bool pad = true)
    {
        Raw(System.Text.Encoding.ASCII.GetBytes(id));
        U32(declaredSize ?? (uint)body.Length);
        Raw(body);
        if (pad && (body.Length & 1) != 0)
        {
            _bytes.WriteByte(0);
        }

        return this;
    }

    public WavImages U32(uint value)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(field, value);
        return Raw(field);
    }

    public byte[] ToArray() => _bytes.ToArray();

    private static void WriteFmtFields(Span<byte> body, ushort tag, ushort channels, int sampleRate, ushort blockAlign, ushort bits)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(body, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(body[2..], channels);
        BinaryPrimitives.WriteInt32LittleEndian(body[4..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(body[8..], sampleRate * blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(body[12..], blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(body[14..], bits);
    }
}
