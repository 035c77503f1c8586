using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Ota.Download;
using StepAudio.Ops.Tests.Ota.Rig;

namespace StepAudio.Ops.Tests.Ota;

public sealed class BundleDownloaderTests : IDisposable
{
    private const int Size = 1_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("stepaudio-dl-").FullName;
    private readonly BundleFileServer _server = new() { ChunkBytes = 16 * 1024 };
    private readonly HttpClient _http = new();
    private readonly byte[] _data = RandomNumberGenerator.GetBytes(Size);
    private readonly OtaJob _job;
    private readonly string _part;

    public BundleDownloaderTests()
    {
        var file = Path.Combine(_dir, "bundle.raucb");
        File.WriteAllBytes(file, _data);
        _job = new OtaJob("j1", "1.1.0", _server.Publish(file), Size, Convert.ToHexStringLower(SHA256.HashData(_data)), "c", DateTimeOffset.UtcNow.AddHours(1));
        _part = Path.Combine(_dir, "download", "part.raucb");
    }

    private BundleDownloader Downloader(long margin = 0) => new(_http, Microsoft.Extensions.Options.Options.Create(new OtaAgentOptions
    {
        DownloadRetryDelay = TimeSpan.FromMilliseconds(1),
        ProgressInterval = TimeSpan.Zero,
        FreeSpaceMarginBytes = margin,
    }), TimeProvider.System, NullLogger<BundleDownloader>.Instance);

    [Fact]
    public async Task Download_WhenConnectionDropsTwice_ResumesWithRangeAndSendsEachByteOnce()
    {
        _server.DropAfter.Enqueue(300_000);
        _server.DropAfter.Enqueue(200_000);

        var transferred = await Downloader().DownloadAsync(_job, _part, new Progress<long>(), CancellationToken.None);

        Assert.Equal(_data, File.ReadAllBytes(_part));
        Assert.Equal(["(none)", "bytes=300000-", "bytes=500000-"], _server.RangeRequests);
        Assert.Equal(Size, _server.BytesSent);
        Assert.Equal(Size, transferred);
    }

    [Fact]
    public async Task Download_WhenRestartedAfterKill_ContinuesFromPartialFile()
    {
        using var cut = new CancellationTokenSource();
        var killAt = new CutAt(400_000, cut);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Downloader().DownloadAsync(_job, _part, killAt, cut.Token));
        var kept = new FileInfo(_part).Length;

        var transferred = await Downloader().DownloadAsync(_job, _part, new Progress<long>(), CancellationToken.None);

        Assert.InRange(kept, 1, Size - 1);
        Assert.Equal(_data, File.ReadAllBytes(_part));
        Assert.Equal($"bytes={kept}-", _server.RangeRequests[^1]);
        Assert.Equal(Size - kept, transferred);
    }

    [Fact]
    public async Task Download_WhenBytesAreCorruptedOnTheWire_ThrowsHashMismatch()
    {
        _server.CorruptOffset = 123_456;

        var error = await Assert.ThrowsAsync<OtaStepException>(() => Downloader().DownloadAsync(_job, _part, new Progress<long>(), CancellationToken.None));

        Assert.Equal(OtaReason.HashMismatch, error.Reason);
        Assert.Contains(_job.Sha256, error.Message);
    }

    [Fact]
    public async Task Download_WhenServerIgnoresRange_StartsOverAndStillVerifies()
    {
        _server.DropAfter.Enqueue(250_000);
        _server.IgnoreRange = true;

        await Downloader().DownloadAsync(_job, _part, new Progress<long>(), CancellationToken.None);

        Assert.Equal(_data, File.ReadAllBytes(_part));
        Assert.Equal(250_000 + Size, _server.BytesSent);
    }

    [Fact]
    public async Task Download_WhenDiskLacksRoom_RefusesBeforeFetchingAnything()
    {
        var error = await Assert.ThrowsAsync<OtaStepException>(() => Downloader(margin: long.MaxValue / 2).DownloadAsync(_job, _part, new Progress<long>(), CancellationToken.None));

        Assert.Equal(OtaReason.InsufficientSpace, error.Reason);
        Assert.Empty(_server.RangeRequests);
    }

    [Fact]
    public async Task Download_WhenFileIsMissingOnServer_FailsWithStatusCode()
    {
        var job = _job with { Url = new Uri($"http://127.0.0.1:{_server.Port}/bundles/nope.raucb") };

        var error = await Assert.ThrowsAsync<OtaStepException>(() => Downloader().DownloadAsync(job, _part, new Progress<long>(), CancellationToken.None));

        Assert.Equal(OtaReason.DownloadFailed, error.Reason);
        Assert.Contains("404", error.Message);
    }

    /// <summary>Stops the download, as a kill would, once it has this many bytes on disk.</summary>
    private sealed class CutAt(long bytes, CancellationTokenSource cut) : IProgress<long>
    {
        public void Report(long value)
        {
            if (value >= bytes)
            {
                cut.Cancel();
            }
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
