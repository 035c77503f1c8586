using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Storage;

namespace StepAudio.Engine.Conversation;

/// <summary>
/// The prompts the device plays when the GPU server fails a turn. Each kind is, best first: rendered in
/// the device's own voice (now, or in an earlier run and read from the disk cache at construction), the
/// clip bundled at publish time, or a synthesized earcon. Rendering needs the server, so it runs in the
/// idle moment after a spoken reply (the server has just proved reachable) until every prompt has its
/// own-voice clip.
/// </summary>
public sealed partial class OfflinePrompts
{
    private static readonly OfflinePromptKind[] Kinds = Enum.GetValues<OfflinePromptKind>();

    private readonly OfflinePromptOptions _options;
    private readonly IPromptRenderer? _renderer;
    private readonly OfflinePromptCache _cache;
    private readonly ILogger _logger;
    private readonly PromptClip?[] _ownVoice = new PromptClip?[Kinds.Length];
    private readonly PromptClip?[] _bundled = new PromptClip?[Kinds.Length];
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _allRendered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _preparing;

    /// <param name="options">Texts, cache and bundle locations; validated here.</param>
    /// <param name="renderer">The device's TTS + vocoder path; null when there is none (bundled clips and earcons only).</param>
    /// <param name="writer">How rendered clips are stored.</param>
    /// <param name="logger">Where rendering and playing are logged.</param>
    public OfflinePrompts(OfflinePromptOptions options, IPromptRenderer? renderer, IAtomicFileWriter writer, ILogger<OfflinePrompts>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _renderer = renderer;
        _cache = new OfflinePromptCache(options.ResolveCacheDirectory(), writer);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        LoadBundled();
        if (renderer is not null)
        {
            // Clips rendered in an earlier run are there from the start, before the server is ever asked.
            foreach (var kind in Kinds)
            {
                TryLoadCached(kind);
            }
        }
    }

    /// <summary>The options in force.</summary>
    public OfflinePromptOptions Options => _options;

    /// <summary>Completes once every prompt has its own-voice clip (rendered or read from the cache).</summary>
    public Task AllRendered => _allRendered.Task;

    /// <summary>True while some prompt has no own-voice clip and a renderer could make one.</summary>
    public bool NeedsRendering
    {
        get
        {
            if (_renderer is null)
            {
                return false;
            }

            lock (_gate)
            {
                return Array.IndexOf(_ownVoice, null) >= 0;
            }
        }
    }

    /// <summary>
    /// Reads cached own-voice clips and renders the missing ones (one at a time, each within
    /// <see cref="OfflinePromptOptions.RenderTimeout"/>). A failure is logged and leaves that prompt for
    /// the next call. Returns how many prompts have an own-voice clip afterwards (0 when another
    /// preparation is already running).
    /// </summary>
    public async Task<int> PrepareAsync(CancellationToken cancellationToken)
    {
        if (_renderer is null)
        {
            return 0;
        }

        // One preparation at a time; a second caller (an idle moment during the start-up render) leaves it be.
        if (Interlocked.Exchange(ref _preparing, 1) == 1)
        {
            return 0;
        }

        try
        {
            var ready = 0;
            foreach (var kind in Kinds)
            {
                if (Current(kind) is not null || await TryRenderAsync(_renderer, kind, cancellationToken).ConfigureAwait(false))
                {
                    ready++;
                }
            }

            return ready;
        }
        finally
        {
            Volatile.Write(ref _preparing, 0);
        }
    }

    /// <summary>The best clip there is for <paramref name="kind"/>, at <paramref name="sampleRate"/>.</summary>
    public PromptClip ClipFor(OfflinePromptKind kind, int sampleRate)
    {
        var clip = Current(kind) ?? _bundled[(int)kind] ?? new PromptClip(Earcon.Synthesize(kind, sampleRate), sampleRate, PromptSource.Earcon);
        return clip.SampleRate == sampleRate ? clip : Resample(clip, sampleRate);
    }

    /// <summary>Plays the prompt for <paramref name="kind"/> on <paramref name="output"/> and waits until it is queued whole.</summary>
    public async Task<PromptClip> PlayAsync(OfflinePromptKind kind, IAudioOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var clip = ClipFor(kind, output.SampleRate);
        await output.WriteAsync(clip.Samples, cancellationToken).ConfigureAwait(false);
        await output.CompleteReplyAsync(cancellationToken).ConfigureAwait(false);
        Log.Played(_logger, kind, clip.Source, clip.Seconds);
        return clip;
    }

    private PromptClip? Current(OfflinePromptKind kind)
    {
        lock (_gate)
        {
            return _ownVoice[(int)kind];
        }
    }

    private void Keep(OfflinePromptKind kind, PromptClip clip)
    {
        lock (_gate)
        {
            _ownVoice[(int)kind] = clip;
            if (Array.IndexOf(_ownVoice, null) < 0)
            {
                _allRendered.TrySetResult();
            }
        }
    }

    private bool TryLoadCached(OfflinePromptKind kind)
    {
        var text = _options.TextOf(kind);
        try
        {
            if (_cache.TryLoad(text, _renderer!.Identity, out var clip))
            {
                Keep(kind, clip!);
                return true;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WavFormatException)
        {
            Log.CacheUnreadable(_logger, _cache.PathOf(text, _renderer!.Identity), ex.Message);
        }

        return false;
    }

    private async Task<bool> TryRenderAsync(IPromptRenderer renderer, OfflinePromptKind kind, CancellationToken cancellationToken)
    {
        var text = _options.TextOf(kind);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.RenderTimeout);
        try
        {
            var clip = await renderer.RenderAsync(text, limit.Token).ConfigureAwait(false);
            if (clip.Samples.Length == 0)
            {
                return false;
            }

            clip = clip with { Source = PromptSource.OwnVoice };
            Keep(kind, clip);
            Log.Rendered(_logger, kind, clip.Seconds);
            try
            {
                _cache.Save(text, renderer.Identity, clip);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.CacheUnwritable(_logger, _cache.Directory, ex.Message);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.RenderFailed(_logger, kind, ex.Message);
            return false;
        }
    }

    private void LoadBundled()
    {
        var directory = _options.ResolveBundledDirectory();
        foreach (var kind in Kinds)
        {
            var path = Path.Combine(directory, OfflinePromptOptions.BundledFileName(kind));
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                var wav = WavFile.Read(path);
                _bundled[(int)kind] = new PromptClip(Mono(wav), wav.SampleRate, PromptSource.Bundled);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WavFormatException)
            {
                Log.BundledUnreadable(_logger, path, ex.Message);
            }
        }
    }

    private static float[] Mono(WavAudio wav)
    {
        if (wav.Channels == 1)
        {
            return wav.Samples;
        }

        var mono = new float[wav.FrameCount];
        for (var i = 0; i < mono.Length; i++)
        {
            var sum = 0f;
            for (var c = 0; c < wav.Channels; c++)
            {
                sum += wav.Samples[(i * wav.Channels) + c];
            }

            mono[i] = sum / wav.Channels;
        }

        return mono;
    }

    private static PromptClip Resample(PromptClip clip, int sampleRate)
    {
        var resampler = new PolyphaseResampler(clip.SampleRate, sampleRate);
        var output = new float[resampler.MaxOutputFor(clip.Samples.Length) + resampler.MaxFlushOutput];
        var count = resampler.Process(clip.Samples, output);
        count += resampler.Flush(output.AsSpan(count));
        return clip with { Samples = output[..count], SampleRate = sampleRate };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1411, Level = LogLevel.Information, Message = "Offline prompt {Kind} rendered in the device's voice ({Seconds:0.00} s)")]
        public static partial void Rendered(ILogger logger, OfflinePromptKind kind, double seconds);

        [LoggerMessage(EventId = 1412, Level = LogLevel.Information, Message = "Offline prompt {Kind} could not be rendered now ({Reason}); trying again when the server answers")]
        public static partial void RenderFailed(ILogger logger, OfflinePromptKind kind, string reason);

        [LoggerMessage(EventId = 1413, Level = LogLevel.Warning, Message = "Offline prompt {Kind} played ({Source}, {Seconds:0.00} s)")]
        public static partial void Played(ILogger logger, OfflinePromptKind kind, PromptSource source, double seconds);

        [LoggerMessage(EventId = 1414, Level = LogLevel.Warning, Message = "Cached offline prompt {Path} is unreadable ({Reason}); rendering it anew")]
        public static partial void CacheUnreadable(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = 1415, Level = LogLevel.Warning, Message = "Offline prompts cannot be cached in {Directory} ({Reason}); they are rendered again after a restart")]
        public static partial void CacheUnwritable(ILogger logger, string directory, string reason);

        [LoggerMessage(EventId = 1416, Level = LogLevel.Warning, Message = "Bundled offline prompt {Path} is unreadable ({Reason}); the earcon is used instead")]
        public static partial void BundledUnreadable(ILogger logger, string path, string reason);
    }
}
