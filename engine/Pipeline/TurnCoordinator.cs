using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Pipeline;

/// <summary>
/// Turns the listening loop's signals into replies: a pause starts a speculative chat request,
/// speech resuming cancels it, the end of the turn commits it (or asks anew), and the reply text
/// is spoken sentence by sentence through the TTS model and the local vocoder while the rest of
/// the text still streams.
/// </summary>
public sealed partial class TurnCoordinator
{
    private readonly GpuServerClient _client;
    private readonly ReplySpeaker _speaker;
    private readonly IPipelineEventSink _events;
    private readonly AudioTimeline _timeline;
    private readonly GpuServerOptions _serverOptions;
    private readonly ILogger _logger;
    private Speculation? _speculation;
    private Task _reply = Task.CompletedTask;
    private Task _closing = Task.CompletedTask;
    private CancellationTokenSource? _replyCancel;
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _turnsFinished = new();
    private readonly HashSet<string> _unknownTags = new(StringComparer.Ordinal);
    private readonly IWakeArbiter _arbiter;
    private Task<bool> _answering = Task.FromResult(true);
    private readonly IInterruptibleOutput? _interruptible;
    private readonly ConversationContext _context;
    private readonly IAudioOutput _output;

    public TurnCoordinator(
        GpuServerClient client,
        TtsPromptBuilder ttsPrompts,
        StreamingVocoder vocoder,
        SpeakerVoice voice,
        IAudioOutput output,
        IPipelineEventSink events,
        AudioTimeline timeline,
        GpuServerOptions serverOptions,
        ILogger<TurnCoordinator>? logger = null,
        IWakeArbiter? arbiter = null,
        ConversationContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(serverOptions);
        _client = client;
        _speaker = new ReplySpeaker(this, ttsPrompts, vocoder, voice, output);
        _output = output;
        _events = events;
        _timeline = timeline;
        _serverOptions = serverOptions;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _arbiter = arbiter ?? AlwaysAnswer.Instance;
        _interruptible = output as IInterruptibleOutput;
        _context = context ?? new ConversationContext(new ConversationOptions(), serverOptions.SystemPrompt);
    }

    /// <summary>The conversation's history: what each chat request carries before the current turn.</summary>
    public ConversationContext Context => _context;

    /// <summary>Turns that ended with a spoken reply.</summary>
    public int CompletedTurns { get; private set; }

    /// <summary>Turns that failed (server, model or audio error).</summary>
    public int FailedTurns { get; private set; }

    /// <summary>Replies the user talked over (or woke the device during).</summary>
    public int BargeIns { get; private set; }

    /// <summary>Wake words heard.</summary>
    public int Wakes { get; private set; }

    /// <summary>
    /// Whether a pause starts a speculative chat request (default). Off, every turn asks only at
    /// its end: the baseline the speculation's savings are measured against.
    /// </summary>
    public bool SpeculativeResponses { get; init; } = true;

    /// <summary>The reply being produced now, or a completed task.</summary>
    public Task CurrentReply => Volatile.Read(ref _reply);

    /// <summary>Reply or say audio is being produced or is still draining from the output (the OTA agent waits for quiet).</summary>
    public bool IsSpeaking => _speaker.IsSpeaking;

    /// <summary>
    /// Speaks <paramref name="text"/> through the TTS model and the vocoder, as a reply (a fleet's
    /// <c>say</c> command). Waits for the reply in progress, if any; returns the seconds spoken.
    /// </summary>
    public async Task<double> SayAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        await _reply.WaitAsync(cancellationToken);
        await using var chat = ChatStream.FromText(text, _timeline);
        var latency = new TurnStamps(_timeline, _timeline.Stamp()) { ChatRequest = chat.RequestStamp };
        var summary = await _speaker.SpeakAsync(chat, latency, turnId: 0, cancellationToken);
        return summary.AudioSeconds;
    }

    /// <summary>Completes when the turn has been answered, has failed, or had no speech.</summary>
    public Task WhenTurnFinished(int turnId) => TurnCompletion(turnId).Task;

    /// <summary>Processes signals until the channel completes or <paramref name="cancellationToken"/> fires; then finishes the current reply.</summary>
    public async Task RunAsync(ChannelReader<TurnSignal> signals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signals);
        using var promptsStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _promptsToken = promptsStop.Token;
        try
        {
            await foreach (var signal in signals.ReadAllAsync(cancellationToken))
            {
                await HandleAsync(signal, cancellationToken);
            }
        }
        finally
        {
            await CancelSpeculationAsync(emit: false);
            if (cancellationToken.IsCancellationRequested)
            {
                _replyCancel?.Cancel();
            }

            await _reply;
            await _closing;
            await promptsStop.CancelAsync();
            await FinishPreparingPromptsAsync();
        }
    }

    private async Task HandleAsync(TurnSignal signal, CancellationToken cancellationToken)
    {
        switch (signal.Kind)
        {
            case TurnSignalKind.Wake:
                Wakes++;
                // A new wake while a reply plays pre-empts it.
                _replyCancel?.Cancel();
                await CancelSpeculationAsync(emit: false);
                Emit(new WakeDetected(signal.AtMs, signal.TurnId, signal.Keyword, Math.Round(signal.Score, 4), signal.SignalToNoiseDb));
                _answering = ArbitrateAsync(signal, cancellationToken);
                break;

            case TurnSignalKind.BargeIn:
                BargeIns++;
                InterruptReply(signal);
                await CancelSpeculationAsync(emit: false);
                break;

            case TurnSignalKind.FollowUp:
                OnFollowUpSpeech(signal);
                break;

            case TurnSignalKind.FollowUpClosed:
                Emit(new FollowUpEnded(signal.AtMs, signal.TurnId));
                break;

            case TurnSignalKind.SpeechStart:
                Emit(new SpeechStarted(signal.AtMs, signal.TurnId));
                break;

            case TurnSignalKind.Pause:
                Emit(new SpeechPaused(signal.AtMs, signal.TurnId));
                await CancelSpeculationAsync(emit: true, signal.AtMs);
                if (SpeculativeResponses && (!_answering.IsCompletedSuccessfully || _answering.Result))
                {
                    _speculation = Speculation.Start(this, signal, cancellationToken);
                }

                break;

            case TurnSignalKind.Resume:
                await CancelSpeculationAsync(emit: true, signal.AtMs);
                break;

            case TurnSignalKind.NoSpeech:
                await CancelSpeculationAsync(emit: false);
                Emit(new NoSpeechHeard(signal.AtMs, signal.TurnId));
                TurnCompletion(signal.TurnId).TrySetResult();
                break;

            case TurnSignalKind.EndOfTurn:
                Emit(new EndOfTurnDetected(signal.AtMs, signal.TurnId, signal.Reason));
                var speculation = _speculation;
                _speculation = null;
                await _reply;
                _replyCancel?.Dispose();
                _replyCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                _reply = ReplyAsync(signal, speculation, _answering, _replyCancel.Token);
                break;
        }
    }

    /// <summary>
    /// Drops the running speculation. The decision is immediate (the event carries the moment
    /// speech resumed); closing the request happens in the background so the signal loop never
    /// waits on the network or the tokenizer.
    /// </summary>
    private Task CancelSpeculationAsync(bool emit, double atMs = double.NaN)
    {
        var speculation = _speculation;
        if (speculation is null)
        {
            return Task.CompletedTask;
        }

        _speculation = null;
        if (emit)
        {
            Emit(new SpeculationCancelled(double.IsNaN(atMs) ? _timeline.NowMs : atMs, speculation.TurnId));
        }

        _closing = Task.WhenAll(_closing, speculation.DisposeAsync().AsTask());
        return Task.CompletedTask;
    }

    private async Task<bool> ArbitrateAsync(TurnSignal wake, CancellationToken cancellationToken)
    {
        try
        {
            var claim = new WakeClaim(wake.TurnId, wake.Keyword ?? string.Empty, wake.Score, wake.SignalToNoiseDb, DateTimeOffset.UtcNow);
            return await _arbiter.ShouldAnswerAsync(claim, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Arbitration is a courtesy between speakers; when it fails, answering beats silence.
            Log.ArbitrationFailed(_logger, ex.Message);
            return true;
        }
    }

    private async Task ReplyAsync(TurnSignal endOfTurn, Speculation? speculation, Task<bool> answering, CancellationToken cancellationToken)
    {
        var endStamp = _timeline.Stamp();
        var latency = new TurnStamps(_timeline, endStamp);
        ChatStream? chat = null;
        try
        {
            if (!await answering.WaitAsync(cancellationToken))
            {
                Emit(new ArbitrationLost(_timeline.NowMs, endOfTurn.TurnId));
                return;
            }

            var tokens = await endOfTurn.Tokens!.WaitAsync(cancellationToken);
            latency.TokensReady = _timeline.Stamp();
            Emit(new TokensReady(_timeline.NowMs, endOfTurn.TurnId, tokens.GroupCount, latency.Since(endStamp, latency.TokensReady)));
            if (tokens.GroupCount == 0)
            {
                throw new InvalidOperationException("The turn produced no audio tokens.");
            }

            chat = speculation is not null ? await CommitOrDiscardAsync(speculation, tokens, endOfTurn.TurnId) : null;
            chat?.ReleaseTools();
            if (chat is null)
            {
                chat = ChatStream.Start(_client, Messages(tokens), _timeline, Tools, holdTools: false, cancellationToken);
                Emit(new ChatRequested(chat.RequestAtMs, endOfTurn.TurnId, tokens.GroupCount));
            }

            speculation = null;
            using var stopChat = cancellationToken.Register(chat.Cancel);
            latency.ChatRequest = chat.RequestStamp;
            var reply = await _speaker.SpeakAsync(chat, latency, endOfTurn.TurnId, cancellationToken);
            RecordTurn(chat, reply);
            CompletedTurns++;
            Emit(new TurnEnded(_timeline.NowMs, endOfTurn.TurnId, latency.Describe(reply)));
            AfterSpokenReply(endOfTurn.TurnId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Emit(new TurnEnded(_timeline.NowMs, endOfTurn.TurnId, Reply: null));
        }
        catch (Exception ex)
        {
            FailedTurns++;
            Log.TurnFailed(_logger, endOfTurn.TurnId, ex.Message);
            Emit(new TurnFailed(_timeline.NowMs, endOfTurn.TurnId, StageOf(ex), KindOf(ex), ex.Message));
            await SayWhatWentWrongAsync(ex, endOfTurn.TurnId, cancellationToken);
        }
        finally
        {
            if (speculation is not null)
            {
                await speculation.DisposeAsync();
            }

            if (chat is not null)
            {
                await chat.DisposeAsync();
            }

            TurnCompletion(endOfTurn.TurnId).TrySetResult();
        }
    }

    private TaskCompletionSource TurnCompletion(int turnId) =>
        _turnsFinished.GetOrAdd(turnId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    internal IReadOnlyList<ChatMessage> Messages(AudioTokens tokens) => _context.BuildMessages(tokens.ToTokenString());

    internal GpuServerClient Client => _client;

    /// <summary>Logs a bracketed word that is not a control tag, once per word: it is spoken as text.</summary>
    internal void ReportUnknownTag(string tag)
    {
        if (_unknownTags.Add(tag))
        {
            Log.UnknownTag(_logger, tag);
        }
    }

    internal AudioTimeline Timeline => _timeline;

    internal void Emit(PipelineEvent pipelineEvent) => _events.OnEvent(pipelineEvent);

    private static TurnFailureStage StageOf(Exception ex) => ex switch
    {
        GpuServerException => TurnFailureStage.Server,
        InvalidOperationException => TurnFailureStage.Tokenizer,
        _ => TurnFailureStage.Pipeline,
    };

    private static string KindOf(Exception ex) => ex switch
    {
        GpuServerException server => server.Kind.ToString(),
        _ => ex.GetType().Name,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Turn {Turn} failed: {Reason}")]
        public static partial void TurnFailed(ILogger logger, int turn, string reason);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Wake arbitration failed ({Reason}); answering")]
        public static partial void ArbitrationFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Reply starts with ({Tag}), which is not a Step-Audio control tag; it is spoken as text")]
        public static partial void UnknownTag(ILogger logger, string tag);
    }
}
