using System.Buffers.Binary;
using System.Security.Cryptography;

namespace StepAudio.Ops.Ota.Rauc;

/// <summary>The <c>[bundle]</c> verity fields of a signed manifest: the root hash, salt and hash-tree size.</summary>
/// <param name="RootHash">The dm-verity root hash (32 bytes, sha256).</param>
/// <param name="Salt">The salt hashed in front of every block (32 bytes).</param>
/// <param name="HashTreeSize">Bytes of hash tree between the payload and the signature.</param>
public sealed record RaucVerityParameters(byte[] RootHash, byte[] Salt, long HashTreeSize);

/// <summary>
/// Checks a verity bundle's payload against the root hash of its signed manifest before anything is installed.
/// <c>rauc info</c> on a verity bundle verifies only the signature over the manifest; the payload is left to dm-verity
/// at install time, so without this a bundle with a flipped payload byte would pass the agent's pre-check.
/// </summary>
/// <remarks>
/// The layout is dm-verity format 1 without a superblock, as RAUC writes it: the squashfs payload in 4096-byte blocks,
/// then the hash tree (sha256 over salt followed by the block; 128 digests per 4096-byte block, zero-padded; the level
/// nearest the root first), then the CMS signature, then its size as a big-endian 64-bit number. The whole tree is
/// rebuilt from the payload and compared with the stored one, so damage to either is found, and the rebuilt top block
/// must hash to the signed root.
/// </remarks>
public static class VerityPayload
{
    private const int BlockSize = 4096;
    private const int DigestSize = 32;
    private const int DigestsPerBlock = BlockSize / DigestSize;

    /// <summary>Returns null when the payload matches, else why it does not.</summary>
    public static string? Check(string bundlePath, RaucVerityParameters verity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bundlePath);
        ArgumentNullException.ThrowIfNull(verity);
        if (verity.RootHash.Length != DigestSize || verity.Salt.Length != DigestSize)
        {
            return $"the manifest's verity hash and salt must be {DigestSize} bytes each.";
        }

        using var file = new FileStream(bundlePath, FileMode.Open, FileAccess.Read, FileShare.Read, BlockSize, FileOptions.SequentialScan);
        if (file.Length < sizeof(ulong))
        {
            return "the bundle is shorter than its signature size field.";
        }

        Span<byte> sizeField = stackalloc byte[sizeof(ulong)];
        file.Seek(-sizeof(ulong), SeekOrigin.End);
        file.ReadExactly(sizeField);
        var signatureSize = BinaryPrimitives.ReadUInt64BigEndian(sizeField);
        var beforeSignatureField = file.Length - sizeof(ulong);
        if (signatureSize == 0 || signatureSize > (ulong)beforeSignatureField)
        {
            return $"the signature size {signatureSize} does not fit the bundle of {file.Length} bytes.";
        }

        var payloadAndTree = beforeSignatureField - (long)signatureSize;
        var payloadSize = payloadAndTree - verity.HashTreeSize;
        if (verity.HashTreeSize <= 0 || verity.HashTreeSize % BlockSize != 0 || payloadSize <= BlockSize || payloadSize % BlockSize != 0)
        {
            return $"the manifest's verity size {verity.HashTreeSize} does not fit the {payloadAndTree} bytes before the signature.";
        }

        var levels = BuildTree(file, payloadSize / BlockSize, verity.Salt);
        var top = levels[^1];
        var root = HashBlock(verity.Salt, top.AsSpan(0, BlockSize));
        var storedTree = new byte[verity.HashTreeSize];
        file.Seek(payloadSize, SeekOrigin.Begin);
        file.ReadExactly(storedTree);
        var offset = 0;
        for (var level = levels.Count - 1; level >= 0; level--)
        {
            var bytes = levels[level];
            if (offset + bytes.Length > storedTree.Length || !storedTree.AsSpan(offset, bytes.Length).SequenceEqual(bytes))
            {
                return $"the payload does not match the stored verity hash tree (level {level}).";
            }

            offset += bytes.Length;
        }

        if (offset != storedTree.Length)
        {
            return $"the verity hash tree is {offset} bytes for this payload; the manifest says {storedTree.Length}.";
        }

        return CryptographicOperations.FixedTimeEquals(root, verity.RootHash)
            ? null
            : "the payload's verity root hash differs from the signed manifest's verity-hash.";
    }

    /// <summary>Hash levels from the leaves up; each entry holds whole 4096-byte blocks.</summary>
    private static List<byte[]> BuildTree(FileStream file, long dataBlocks, byte[] salt)
    {
        var levels = new List<byte[]>();
        file.Seek(0, SeekOrigin.Begin);
        var block = new byte[BlockSize];
        var leaves = new byte[BlocksFor(dataBlocks) * BlockSize];
        for (long i = 0; i < dataBlocks; i++)
        {
            file.ReadExactly(block);
            HashBlock(salt, block).CopyTo(leaves.AsSpan((int)(i * DigestSize)));
        }

        levels.Add(leaves);
        while (levels[^1].Length > BlockSize)
        {
            var below = levels[^1];
            var count = below.Length / BlockSize;
            var level = new byte[BlocksFor(count) * BlockSize];
            for (var i = 0; i < count; i++)
            {
                HashBlock(salt, below.AsSpan(i * BlockSize, BlockSize)).CopyTo(level.AsSpan(i * DigestSize));
            }

            levels.Add(level);
        }

        return levels;
    }

    private static long BlocksFor(long digests) => (digests + DigestsPerBlock - 1) / DigestsPerBlock;

    private static byte[] HashBlock(byte[] salt, ReadOnlySpan<byte> block)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(salt);
        sha.AppendData(block);
        return sha.GetHashAndReset();
    }
}
