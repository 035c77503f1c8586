using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;

namespace StepAudio.Engine.Inference;

/// <summary>
/// The <c>manifest.json</c> that engine/models/export/export.py writes at the root of a model directory: the sha256
/// and size of every model file of the export. A directory with a manifest is accepted only when its files are the
/// ones the manifest names, so a half-copied set, a file from another export or one edited by hand is refused with
/// its name instead of running with mismatched parts. A directory without a manifest (a set the operator assembled
/// by other means) is checked against CONTRACT.md alone.
/// </summary>
internal static class ExportManifest
{
    /// <summary>The manifest's file name at the model directory's root.</summary>
    public const string FileName = "manifest.json";

    // Hashing a full-size set takes seconds: a file is hashed again only when its size or time stamp changes.
    private static readonly ConcurrentDictionary<string, (long Length, DateTime Written, string Sha256)> Hashed = new(StringComparer.Ordinal);

    /// <summary>
    /// Checks the manifest's files under <paramref name="prefix"/> (e.g. <c>vq02/</c>, <c>vocoder/v1/</c>) when
    /// <paramref name="root"/> has a manifest; returns false when it has none.
    /// </summary>
    /// <exception cref="ModelContractException">The manifest is unreadable, or a file it names is missing or differs.</exception>
    public static bool Verify(string root, string prefix)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(prefix);
        var path = Path.Combine(root, FileName);
        if (!File.Exists(path))
        {
            return false;
        }

        foreach (var (file, sha256, length) in Read(path))
        {
            if (!file.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var full = Path.Combine(root, file);
            var info = new FileInfo(full);
            if (!info.Exists)
            {
                throw new ModelContractException($"{path} names {file}, which is missing from {root}: the model set is incomplete.");
            }

            if (info.Length != length)
            {
                throw new ModelContractException($"{full} has {info.Length} bytes, {path} says {length}: the file is not the one this export wrote.");
            }

            var actual = Sha256(info);
            if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelContractException($"{full} has sha256 {actual}, {path} says {sha256}: the file is not the one this export wrote.");
            }
        }

        return true;
    }

    private static List<(string File, string Sha256, long Length)> Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var files = new List<(string, string, long)>();
            foreach (var entry in document.RootElement.GetProperty("files").EnumerateObject())
            {
                files.Add((entry.Name, entry.Value.GetProperty("sha256").GetString() ?? throw new JsonException($"{entry.Name}: sha256 is null"),
                    entry.Value.GetProperty("bytes").GetInt64()));
            }

            return files;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelContractException($"{path} is not a readable export manifest: {ex.Message}", ex);
        }
    }

    private static string Sha256(FileInfo info)
    {
        var key = info.FullName;
        if (Hashed.TryGetValue(key, out var known) && known.Length == info.Length && known.Written == info.LastWriteTimeUtc)
        {
            return known.Sha256;
        }

        using var stream = info.OpenRead();
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        Hashed[key] = (info.Length, info.LastWriteTimeUtc, hash);
        return hash;
    }
}
