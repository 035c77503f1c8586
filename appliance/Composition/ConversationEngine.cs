using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StepAudio.Appliance.Storage;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Pipeline.Turns;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;

namespace StepAudio.Appliance.Composition;

/// <summary>
/// The pipeline, assembled from settings: verified public models, the operator's Step-Audio
/// models (checked against their contract), the GPU-server link, the voice, the listening loop on
/// the audio side and the turn coordinator on the async side, joined by a channel.
/// </summary>
internal sealed class ConversationEngine : IAsyncDisposable
{
    private readonly List<IDisposable> _owned;
    private readonly Channel<TurnSignal> _signals;

    private ConversationEngine(List<IDisposable> owned, ListeningLoop loop, TurnCoordinator coordinator, AudioTimeline timeline, Channel<TurnSignal> signals)
    {
        _owned = owned;
        Loop = loop;
        Coordinator = coordinator;
        Timeline = timeline;
        _signals = signals;
    }

    /// <summary>The audio-thread side.</summary>
    public ListeningLoop Loop { get; }

    /// <summary>The async side.</summary>
    public TurnCoordinator Coordinator { get; }

    /// <summary>Input position and wall clock.</summary>
    public AudioTimeline Timeline { get; }

    /// <summary>The channel the loop posts to.</summary>
    public ChannelReader<TurnSignal> Signals => _signals.Reader;

    /// <summary>
    /// Loads and wires everything; every model is checked and warmed before this returns. Prepared
    /// speaker prompts are kept under the extras' state directory (the service's) unless Voice:CacheDirectory says otherwise.
    /// </summary>
    public static async Task<ConversationEngine> CreateAsync(
        ApplianceSettings settings,
        IAudioOutput output,
        IPipelineEventSink events,
        ILoggerFactory loggers,
        CancellationToken cancellationToken,
        ConversationExtras? extras = null)
    {
        extras ??= ConversationExtras.None;
        var owned = new List<IDisposable>();
        var duplex = extras.Duplex is { } given ? Own(owned, given) : null;
        try
        {
            var factory = new OnnxSessionFactory(loggers.CreateLogger<OnnxSessionFactory>());
            var listening = Own(owned, ListeningModels.Load(settings, factory, loggers));
            var tokenizer = listening.Tokenizer;
            var vocoder = Own(owned, StreamingVocoder.Load(settings.Vocoder, factory, loggers.CreateLogger<StreamingVocoder>()));
            var client = Own(owned, new GpuServerClient(settings.GpuServer, loggers.CreateLogger<GpuServerClient>()));
            var voices = await ConversationVoices.LoadAsync(settings, tokenizer, vocoder, factory, loggers, extras.StateDirectory, owned, cancellationToken);

            var timeline = new AudioTimeline();
            var signals = Channel.CreateUnbounded<TurnSignal>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var loop = Own(owned, listening.CreateLoop(settings.WakeWord, settings.Endpointing, timeline, signals.Writer, duplex));
            var ttsPrompts = new TtsPromptBuilder(client, settings.GpuServer.TtsModel, settings.GpuServer.TtsAddSpecialTokens);
            var coordinator = new TurnCoordinator(
                new TurnLink(client, ttsPrompts, extras.Tools),
                voices,
                output,
                events,
                timeline,
                new ConversationContext(settings.Conversation, settings.GpuServer.SystemPrompt, logger: loggers.CreateLogger<ConversationContext>()),
                new TurnFeatures(extras.Arbiter, loop, OfflinePromptsFor(settings, client, ttsPrompts, vocoder, voices.Speech.Voice, loggers)),
                loggers.CreateLogger<TurnCoordinator>());
            return new ConversationEngine(owned, loop, coordinator, timeline, signals);
        }
        catch
        {
            DisposeAll(owned);
            throw;
        }
    }

    /// <summary>The offline prompts, rendered in this voice through this vocoder; null when turned off.</summary>
    private static OfflinePrompts? OfflinePromptsFor(
        ApplianceSettings settings, GpuServerClient client, TtsPromptBuilder ttsPrompts, StreamingVocoder vocoder, SpeakerVoice voice, ILoggerFactory loggers)
    {
        if (!settings.OfflinePrompts.Enabled)
        {
            return null;
        }

        var fingerprint = VoicePromptRenderer.FingerprintDirectory(Path.Combine(settings.Vocoder.ModelDirectory, "vocoder", settings.Vocoder.Profile));
        var renderer = new VoicePromptRenderer(client, ttsPrompts, vocoder, voice, fingerprint);
        return new OfflinePrompts(settings.OfflinePrompts, renderer, AtomicFileWriter.Instance, loggers.CreateLogger<OfflinePrompts>());
    }

    /// <summary>No more audio: lets the coordinator finish and stop.</summary>
    public void CompleteInput() => _signals.Writer.TryComplete();

    public ValueTask DisposeAsync()
    {
        _signals.Writer.TryComplete();
        DisposeAll(_owned);
        return ValueTask.CompletedTask;
    }

    private static T Own<T>(List<IDisposable> owned, T item)
        where T : IDisposable
    {
        owned.Add(item);
        return item;
    }

    private static void DisposeAll(List<IDisposable> owned)
    {
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            owned[i].Dispose();
        }

        owned.Clear();
    }
}

/// <summary>What the device adds to a pipeline that the command line runs without.</summary>
/// <param name="Arbiter">Decides between speakers that heard the same wake; every wake is answered when null.</param>
/// <param name="StateDirectory">Where prepared speaker prompts are kept unless Voice:CacheDirectory says otherwise.</param>
/// <param name="Duplex">The echo canceller and barge-in on a real speaker; owned by the engine from here on.</param>
/// <param name="Tools">The tools every chat request offers.</param>
internal sealed record ConversationExtras(IWakeArbiter? Arbiter = null, string? StateDirectory = null, FullDuplex? Duplex = null, ToolConversation? Tools = null)
{
    public static ConversationExtras None { get; } = new();
}
