using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Models;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vad;
using StepAudio.Engine.WakeWord;

namespace StepAudio.Appliance.Composition;

/// <summary>
/// The models of the always-on side (wake word heads, Silero VAD, the dual-codebook tokenizer),
/// verified and loaded from settings. The live pipeline loads one set; the OTA health probe loads
/// its own, so a check never touches the state of the loop that is listening to the room.
/// </summary>
internal sealed class ListeningModels : IDisposable
{
    private ListeningModels(WakeWordDetector wakeWord, SileroVad vad, DualCodebookTokenizer tokenizer)
    {
        WakeWord = wakeWord;
        Vad = vad;
        Tokenizer = tokenizer;
    }

    public WakeWordDetector WakeWord { get; }

    public SileroVad Vad { get; }

    public DualCodebookTokenizer Tokenizer { get; }

    /// <summary>Verifies the pinned models against the lock and loads every listening model.</summary>
    public static ListeningModels Load(ApplianceSettings settings, OnnxSessionFactory factory, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(loggers);
        var store = new ModelStore(string.IsNullOrEmpty(settings.Models.CacheDirectory) ? ModelStore.DefaultCacheDirectory() : settings.Models.CacheDirectory);
        var heads = new List<(string, string)>();
        foreach (var head in settings.WakeWord.Heads)
        {
            heads.Add((KeywordOf(head), store.GetVerifiedPath(head)));
        }

        foreach (var path in settings.WakeWord.CustomHeadPaths)
        {
            heads.Add((Path.GetFileNameWithoutExtension(path), path));
        }

        WakeWordDetector? wakeWord = null;
        SileroVad? vad = null;
        try
        {
            wakeWord = WakeWordDetector.Load(store.GetVerifiedPath("oww-melspectrogram"), store.GetVerifiedPath("oww-embedding"), heads, settings.WakeWord, factory);
            vad = SileroVad.Load(store.GetVerifiedPath("silero-vad-v5"), factory);
            var tokenizer = DualCodebookTokenizer.Load(settings.Tokenizer, factory, loggers.CreateLogger<DualCodebookTokenizer>());
            return new ListeningModels(wakeWord, vad, tokenizer);
        }
        catch
        {
            vad?.Dispose();
            wakeWord?.Dispose();
            throw;
        }
    }

    /// <summary>A listening loop over these models, posting to <paramref name="signals"/>.</summary>
    public ListeningLoop CreateLoop(
        WakeWordOptions wakeWord, EndpointingOptions endpointing, AudioTimeline timeline, ChannelWriter<TurnSignal> signals, FullDuplex? duplex = null) =>
        new(WakeWord, Vad, Tokenizer, wakeWord, endpointing, timeline, signals, duplex);

    public void Dispose()
    {
        Tokenizer.Dispose();
        Vad.Dispose();
        WakeWord.Dispose();
    }

    private static string KeywordOf(string pinnedHead) =>
        pinnedHead.StartsWith("oww-", StringComparison.Ordinal) ? pinnedHead[4..].Replace('-', '_') : pinnedHead;
}
