using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StepAudio.Ops.Ota.Download;

/// <summary>
/// Fetches a bundle into a partial file that survives restarts: each attempt asks for the missing
/// tail with <c>Range</c>, the sha256 runs over the bytes as they are written (re-reading what is
/// already on disk after a restart), and the free space is checked before the first byte.
/// </summary>
public sealed partial class BundleDownloader
{
    private const int BufferSize = 64 * 1024;
    private readonly HttpClient _http;
    private readonly OtaAgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the downloader; <paramref name="http"/> is not disposed here.</summary>
    public BundleDownloader(HttpClient http, IOptions<OtaAgentOptions> options, TimeProvider time, ILogger<BundleDownloader> logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Completes <paramref name="partPath"/> to the job's size and checks its sha256. Throws
    /// <see cref="OtaStepException"/> with <see cref="OtaReason.InsufficientSpace"/>,
    /// <see cref="OtaReason.DownloadFailed"/> or <see cref="OtaReason.HashMismatch"/>.
    /// </summary>
    /// <returns>Bytes that crossed the network in this call (the resume overhead is this minus what was missing).</returns>
    public async Task<long> DownloadAsync(OtaJob job, string partPath, IProgress<long> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(progress);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(partPath))!);
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            var have = HashExisting(partPath, job.Size, hash);
            CheckFreeSpace(partPath, job.Size - have);
            if (have > 0)
            {
                Log.Resuming(_logger, job.JobId, have, job.Size);
            }

            var limiter = new BandwidthLimiter(_options.MaxBytesPerSecond, _time);
            var transferred = 0L;
            var failures = 0;
            var delay = _options.DownloadRetryDelay;
            while (have < job.Size)
            {
                var before = have;
                try
                {
                    (have, var moved) = await FetchTailAsync(job, partPath, have, hash, limiter, progress, cancellationToken).ConfigureAwait(false);
                    transferred += moved;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // The partial file is the truth after a failure: hash it again rather than
                    // trust what a half-finished write left in memory.
                    hash.Dispose();
                    hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    have = HashExisting(partPath, job.Size, hash);
                    transferred += Math.Max(0, have - before);

                    // A connection that moved bytes earns a fresh set of attempts.
                    failures = have > before ? 1 : failures + 1;
                    if (failures >= _options.MaxDownloadAttempts)
                    {
                        throw new OtaStepException(OtaReason.DownloadFailed, $"download of {job.Url} failed {failures} times without progress; last error: {ex.Message}", ex);
                    }

                    Log.Retrying(_logger, job.JobId, have, job.Size, ex.Message);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
                }
            }

            Verify(job, partPath, hash.GetHashAndReset());
            return transferred;
        }
        finally
        {
            hash.Dispose();
        }
    }

    private async Task<(long Have, long Moved)> FetchTailAsync(OtaJob job, string partPath, long have, IncrementalHash hash, BandwidthLimiter limiter, IProgress<long> progress, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, job.Url);
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
        }

        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(_options.DownloadStallTimeout);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have == job.Size)
        {
            return (have, 0);
        }

        if (response.StatusCode == HttpStatusCode.OK && have > 0)
        {
            // The server ignored Range: start over from its first byte.
            Log.RangeIgnored(_logger, job.JobId);
            have = 0;
            hash.GetHashAndReset();
        }
        else if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            if (response.Content.Headers.ContentRange?.From != have)
            {
                throw new HttpRequestException($"the server answered Range bytes={have}- with {response.Content.Headers.ContentRange}.");
            }
        }
        else if (!response.IsSuccessStatusCode)
        {
            var message = $"{job.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}.";
            throw (int)response.StatusCode is >= 400 and < 500
                ? new OtaStepException(OtaReason.DownloadFailed, message)
                : new HttpRequestException(message);
        }

        var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
        await using var bodyScope = body.ConfigureAwait(false);
        var file = new FileStream(partPath, have == 0 ? FileMode.Create : FileMode.Open, FileAccess.Write, FileShare.Read, BufferSize, useAsync: true);
        await using var fileScope = file.ConfigureAwait(false);
        file.Position = have;
        var buffer = new byte[BufferSize];
        var moved = 0L;
        var lastReport = _time.GetTimestamp();
        try
        {
            while (have < job.Size)
            {
                stall.CancelAfter(_options.DownloadStallTimeout);
                var read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, job.Size - have)), stall.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"the connection ended at byte {have} of {job.Size}.");
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                hash.AppendData(buffer, 0, read);
                have += read;
                moved += read;
                await limiter.ThrottleAsync(read, cancellationToken).ConfigureAwait(false);
                if (_time.GetElapsedTime(lastReport) >= _options.ProgressInterval)
                {
                    // Durable checkpoint: after a power cut the partial file holds at least this much.
                    file.Flush(flushToDisk: true);
                    lastReport = _time.GetTimestamp();
                    progress.Report(have);
                }
            }
        }
        finally
        {
            file.Flush(flushToDisk: true);
        }

        progress.Report(have);
        return (have, moved);
    }

    private static long HashExisting(string partPath, long size, IncrementalHash hash)
    {
        var info = new FileInfo(partPath);
        if (!info.Exists)
        {
            return 0;
        }

        if (info.Length > size)
        {
            File.Delete(partPath);
            return 0;
        }

        using var stream = new FileStream(partPath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        var buffer = new byte[BufferSize];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return info.Length;
    }

    private void CheckFreeSpace(string partPath, long missing)
    {
        var drive = new DriveInfo(Path.GetDirectoryName(Path.GetFullPath(partPath))!);
        var needed = missing + _options.FreeSpaceMarginBytes;
        if (drive.AvailableFreeSpace < needed)
        {
            throw new OtaStepException(OtaReason.InsufficientSpace,
                $"the bundle needs {needed} bytes free in {drive.RootDirectory.FullName} ({missing} still to fetch plus a margin of {_options.FreeSpaceMarginBytes}); {drive.AvailableFreeSpace} are free.");
        }
    }

    private static void Verify(OtaJob job, string partPath, byte[] digest)
    {
        var actual = Convert.ToHexStringLower(digest);
        if (actual != job.Sha256)
        {
            throw new OtaStepException(OtaReason.HashMismatch, $"the downloaded bundle ({new FileInfo(partPath).Length} bytes) has sha256 {actual}; the job says {job.Sha256}.");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2560, Level = LogLevel.Information, Message = "OTA {JobId}: resuming the download at byte {Have} of {Size}.")]
        public static partial void Resuming(ILogger logger, string jobId, long have, long size);

        [LoggerMessage(EventId = 2561, Level = LogLevel.Warning, Message = "OTA {JobId}: download broke at byte {Have} of {Size} ({Error}); resuming.")]
        public static partial void Retrying(ILogger logger, string jobId, long have, long size, string error);

        [LoggerMessage(EventId = 2562, Level = LogLevel.Warning, Message = "OTA {JobId}: the server ignored Range; downloading from the start.")]
        public static partial void RangeIgnored(ILogger logger, string jobId);
    }
}
