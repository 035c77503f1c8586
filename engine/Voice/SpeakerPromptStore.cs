using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Storage;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Voice;

/// <summary>A prompt recording and its text, as configured.</summary>
/// <param name="Slot">A short name for the cache entry (<c>speaker</c>, <c>rap</c>, <c>humming</c>): one entry per slot and vocoder is kept.</param>
/// <param name="PromptWav">The recording.</param>
/// <param name="PromptText">What it says.</param>
public sealed record SpeakerPromptSource(string Slot, string PromptWav, string PromptText);

/// <summary>
/// Speaker prompts as cached assets: a prompt is computed once (<see cref="SpeakerPromptAnalysis"/>) and
/// kept in the cache directory under a key made of the SHA-256 of the WAV's bytes, the prompt text and
/// the identities of the tokenizer and vocoder models, so a changed recording, text or model misses.
/// Entries are written atomically (a temp file renamed over the entry); an entry that is truncated,
/// corrupt or for another key is logged and rebuilt. A cache that cannot be read or written never
/// stops the voice: the prompt is then computed at every start.
/// </summary>
public sealed partial class SpeakerPromptStore
{
    private const string Extension = ".voice";
    private readonly string _directory;
    private readonly IAtomicFileWriter _writer;
    private readonly IPromptTokenizer _tokenizer;
    private readonly string _tokenizerIdentity;
    private readonly ILogger _logger;

    /// <param name="cacheDirectory">Where entries live; created when missing.</param>
    /// <param name="tokenizer">The tokenizer stage, run only on a miss.</param>
    /// <param name="tokenizerIdentity">The tokenizer models' identity (<see cref="ModelFingerprint.OfTokenizer"/>).</param>
    /// <param name="logger">Hits, misses and rejected entries.</param>
    public SpeakerPromptStore(string cacheDirectory, IAtomicFileWriter writer, IPromptTokenizer tokenizer, string tokenizerIdentity, ILogger<SpeakerPromptStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(tokenizerIdentity);
        ArgumentNullException.ThrowIfNull(writer);
        _directory = cacheDirectory;
        _writer = writer;
        _tokenizer = tokenizer;
        _tokenizerIdentity = tokenizerIdentity;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The cache directory.</summary>
    public string Directory => _directory;

    /// <summary>Prompts read from the cache.</summary>
    public int Hits { get; private set; }

    /// <summary>Prompts computed (no entry, a stale one or a broken one).</summary>
    public int Misses { get; private set; }

    /// <summary>The prompt of <paramref name="source"/> for <paramref name="vocoder"/>, from the cache when it holds it.</summary>
    /// <param name="source">The recording and its text.</param>
    /// <param name="vocoder">The vocoder the prompt conditions (its CAM++, rate and hop).</param>
    /// <param name="vocoderIdentity">That vocoder's identity (<see cref="ModelFingerprint.OfVocoder"/>).</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <exception cref="WavFormatException">The recording is missing, unreadable or malformed (the message names it).</exception>
    public async Task<SpeakerPromptAsset> GetAsync(SpeakerPromptSource source, StreamingVocoder vocoder, string vocoderIdentity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(vocoder);
        ArgumentNullException.ThrowIfNull(vocoderIdentity);
        var wavBytes = ReadWav(source.PromptWav);
        var key = Key(wavBytes, source.PromptText, vocoderIdentity);
        var keyHex = Convert.ToHexStringLower(key);
        var slot = $"{source.Slot}.{SlotSuffix(vocoderIdentity)}";
        var path = Path.Combine(_directory, $"{slot}.{keyHex}{Extension}");
        if (TryLoad(path, key, vocoder.Profile.MelBins) is { } cached)
        {
            Hits++;
            Log.CacheHit(_logger, source.PromptWav, path);
            return cached;
        }

        Misses++;
        var wav = WavDecoder.Decode(wavBytes, source.PromptWav);
        var asset = await SpeakerPromptAnalysis.ComputeAsync(wav, source.PromptWav, _tokenizer, vocoder, cancellationToken).ConfigureAwait(false);
        Save(path, slot, key, asset, vocoder.Profile.MelBins);
        Log.Computed(_logger, source.PromptWav, asset.AudioIds.Length, asset.MelFrames);
        return asset;
    }

    private byte[] Key(byte[] wavBytes, string promptText, string vocoderIdentity)
    {
        var text = $"stepaudio-edge speaker prompt v{SpeakerPromptCacheFile.FormatVersion}\n{Convert.ToHexStringLower(SHA256.HashData(wavBytes))}\n{promptText}\n{_tokenizerIdentity}\n{vocoderIdentity}";
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }

    // The slot name carries the vocoder so that the speech and music versions of one prompt do not prune each other.
    private static string SlotSuffix(string vocoderIdentity) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(vocoderIdentity)))[..8];

    private static byte[] ReadWav(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw WavFormatException.For(path, "file not found", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WavFormatException.For(path, $"cannot be read: {ex.Message}", ex);
        }
    }

    private SpeakerPromptAsset? TryLoad(string path, ReadOnlySpan<byte> key, int melBins)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CacheUnreadable(_logger, path, ex.Message);
            return null;
        }

        if (SpeakerPromptCacheFile.TryDeserialize(bytes, key, out var asset, out var problem) && asset!.Mel.Length == asset.MelFrames * melBins)
        {
            return asset;
        }

        Log.CacheEntryRejected(_logger, path, problem ?? $"mel bins differ from the vocoder's {melBins}");
        TryDelete(path);
        return null;
    }

    private void Save(string path, string slot, ReadOnlySpan<byte> key, SpeakerPromptAsset asset, int melBins)
    {
        try
        {
            System.IO.Directory.CreateDirectory(_directory);
            _writer.Replace(path, SpeakerPromptCacheFile.Serialize(key, asset, melBins));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CacheUnwritable(_logger, path, ex.Message);
            return;
        }

        // Entries of the same slot for an older recording, text or model are dead weight now.
        foreach (var stale in System.IO.Directory.EnumerateFiles(_directory, $"{slot}.*{Extension}"))
        {
            if (!string.Equals(stale, path, StringComparison.Ordinal))
            {
                TryDelete(stale);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind: it will be rejected or pruned again next time.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Speaker prompt {PromptWav} read from the voice cache ({Path})")]
        public static partial void CacheHit(ILogger logger, string promptWav, string path);

        [LoggerMessage(EventId = 1702, Level = LogLevel.Information, Message = "Speaker prompt {PromptWav} prepared: {Ids} audio ids, {MelFrames} prompt mel frames")]
        public static partial void Computed(ILogger logger, string promptWav, int ids, int melFrames);

        [LoggerMessage(EventId = 1703, Level = LogLevel.Warning, Message = "Voice cache entry {Path} rejected and rebuilt: {Problem}")]
        public static partial void CacheEntryRejected(ILogger logger, string path, string problem);

        [LoggerMessage(EventId = 1704, Level = LogLevel.Warning, Message = "Voice cache entry {Path} cannot be read ({Reason}); the prompt is computed again")]
        public static partial void CacheUnreadable(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = 1705, Level = LogLevel.Warning, Message = "Voice cache entry {Path} cannot be written ({Reason}); the prompt will be computed again at the next start")]
        public static partial void CacheUnwritable(ILogger logger, string path, string reason);
    }
}
