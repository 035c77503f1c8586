using System.Security.Cryptography;

namespace StepAudio.Engine.Models;

/// <summary>
/// The verified model cache. A stage gets a path only after the file's sha256 matches the lock, so
/// a truncated download or a swapped file is never loaded.
/// </summary>
public sealed class ModelStore
{
    /// <summary>The command that repairs the cache, quoted in every integrity error.</summary>
    public const string FixCommand = "stepaudio-edge models fetch";

    private readonly Dictionary<string, string> _verified = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ModelStore(string cacheDirectory, ModelLock? modelLock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        CacheDirectory = cacheDirectory;
        Lock = modelLock ?? ModelLock.Embedded;
    }

    /// <summary>Where pinned files live.</summary>
    public string CacheDirectory { get; }

    /// <summary>The pins.</summary>
    public ModelLock Lock { get; }

    /// <summary>The default cache: <c>$STEPAUDIO_MODEL_CACHE</c>, else <c>$XDG_CACHE_HOME/stepaudio-edge/models</c>, else <c>~/.cache/stepaudio-edge/models</c>.</summary>
    public static string DefaultCacheDirectory()
    {
        var explicitDir = Environment.GetEnvironmentVariable("STEPAUDIO_MODEL_CACHE");
        if (!string.IsNullOrEmpty(explicitDir))
        {
            return explicitDir;
        }

        return Path.Combine(UserCache.Directory(), "models");
    }

    /// <summary>The cache path of a pinned model, whether or not it is there.</summary>
    public string PathOf(PinnedModel model) => Path.Combine(CacheDirectory, model.File);

    /// <summary>Returns the verified path of a pinned model, hashing it once per process.</summary>
    /// <exception cref="ModelIntegrityException">Missing, truncated or tampered.</exception>
    public string GetVerifiedPath(string name)
    {
        if (!Lock.TryGet(name, out var model))
        {
            throw new ModelIntegrityException($"No model named '{name}' is pinned in models.lock.json.");
        }

        lock (_gate)
        {
            if (_verified.TryGetValue(name, out var known))
            {
                return known;
            }
        }

        var path = PathOf(model);
        var problem = Check(model);
        if (problem is not null)
        {
            throw problem;
        }

        lock (_gate)
        {
            _verified[name] = path;
        }

        return path;
    }

    /// <summary>Checks one pinned file; null when it is good.</summary>
    public ModelIntegrityException? Check(PinnedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var path = PathOf(model);
        if (!File.Exists(path))
        {
            return new ModelIntegrityException(
                $"Model file {path} ({model.Name}) is missing. Expected sha256 {model.Sha256}. Run '{FixCommand}' to download it.")
            {
                FilePath = path,
                ExpectedSha256 = model.Sha256,
            };
        }

        var actual = HashFile(path);
        if (!string.Equals(actual, model.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            var size = new FileInfo(path).Length;
            var what = size < model.Size ? $"truncated ({size} of {model.Size} bytes)" : "corrupt or not the pinned file";
            return new ModelIntegrityException(
                $"Model file {path} ({model.Name}) is {what}: expected sha256 {model.Sha256}, actual {actual}. Run '{FixCommand}' to replace it.")
            {
                FilePath = path,
                ExpectedSha256 = model.Sha256,
                ActualSha256 = actual,
            };
        }

        return null;
    }

    /// <summary>The lowercase hex sha256 of a file.</summary>
    public static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
