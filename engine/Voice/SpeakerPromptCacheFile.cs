using System.Buffers.Binary;
using System.Security.Cryptography;

namespace StepAudio.Engine.Voice;

/// <summary>
/// The on-disk form of a cached <see cref="SpeakerPromptAsset"/>, little-endian:
/// <c>"SAVP"</c>, format version, the 32-byte cache key, the counts of ids, embedding values, mel
/// frames and mel bins, the ids (int32), embedding and mel (float32), then the SHA-256 of everything
/// before it. A file is accepted only when its length matches its counts, its checksum matches and it
/// was written for the key asked for.
/// </summary>
internal static class SpeakerPromptCacheFile
{
    public const int FormatVersion = 1;
    public const int KeyLength = 32;
    private const int ChecksumLength = 32;
    private const int HeaderLength = 4 + 4 + KeyLength + (4 * 4);
    private const int MaxCount = 16 * 1024 * 1024;
    private static ReadOnlySpan<byte> Magic => "SAVP"u8;

    /// <summary>The bytes of <paramref name="asset"/> under <paramref name="key"/>.</summary>
    public static byte[] Serialize(ReadOnlySpan<byte> key, SpeakerPromptAsset asset, int melBins)
    {
        var payload = (asset.AudioIds.Length + asset.Embedding.Length + asset.Mel.Length) * 4;
        var bytes = new byte[HeaderLength + payload + ChecksumLength];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], FormatVersion);
        key.CopyTo(span[8..]);
        var at = 8 + KeyLength;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], asset.AudioIds.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 4)..], asset.Embedding.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 8)..], asset.MelFrames);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 12)..], melBins);
        at = HeaderLength;
        foreach (var id in asset.AudioIds)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], id);
            at += 4;
        }

        foreach (var value in asset.Embedding)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[at..], value);
            at += 4;
        }

        foreach (var value in asset.Mel)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[at..], value);
            at += 4;
        }

        SHA256.HashData(span[..at], span[at..]);
        return bytes;
    }

    /// <summary>Reads a cached asset; false with the reason when the bytes are not a whole, intact entry for <paramref name="key"/>.</summary>
    public static bool TryDeserialize(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> key, out SpeakerPromptAsset? asset, out string? problem)
    {
        asset = null;
        if (bytes.Length < HeaderLength + ChecksumLength || !bytes.StartsWith(Magic))
        {
            problem = $"not a speaker prompt cache file ({bytes.Length} bytes)";
            return false;
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (version != FormatVersion)
        {
            problem = $"format version {version}, expected {FormatVersion}";
            return false;
        }

        var at = 8 + KeyLength;
        var ids = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
        var embedding = BinaryPrimitives.ReadInt32LittleEndian(bytes[(at + 4)..]);
        var frames = BinaryPrimitives.ReadInt32LittleEndian(bytes[(at + 8)..]);
        var bins = BinaryPrimitives.ReadInt32LittleEndian(bytes[(at + 12)..]);
        if ((uint)ids > MaxCount || (uint)embedding > MaxCount || (uint)frames > MaxCount || (uint)bins > 1024)
        {
            problem = $"implausible counts (ids {ids}, embedding {embedding}, mel {frames} x {bins})";
            return false;
        }

        var melValues = (long)frames * bins;
        var expected = HeaderLength + ((ids + embedding + melValues) * 4) + ChecksumLength;
        if (bytes.Length != expected)
        {
            problem = $"{bytes.Length} bytes where its counts need {expected} (truncated or overwritten)";
            return false;
        }

        var body = bytes[..^ChecksumLength];
        Span<byte> checksum = stackalloc byte[ChecksumLength];
        SHA256.HashData(body, checksum);
        if (!checksum.SequenceEqual(bytes[^ChecksumLength..]))
        {
            problem = "checksum mismatch (the contents changed after it was written)";
            return false;
        }

        if (!bytes.Slice(8, KeyLength).SequenceEqual(key))
        {
            problem = "written for another prompt, text or model";
            return false;
        }

        at = HeaderLength;
        var audioIds = new int[ids];
        for (var i = 0; i < ids; i++, at += 4)
        {
            audioIds[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
        }

        var values = new float[embedding];
        for (var i = 0; i < embedding; i++, at += 4)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[at..]);
        }

        var mel = new float[melValues];
        for (var i = 0; i < mel.Length; i++, at += 4)
        {
            mel[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[at..]);
        }

        asset = new SpeakerPromptAsset(audioIds, values, mel, frames);
        problem = null;
        return true;
    }
}
