using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Voice;

namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>
/// Turns the listening loop's signals into replies: a pause starts a speculative chat request,
/// speech resuming cancels it, the end of the turn commits it (or asks anew), and the reply text
/// is spoken sentence by sentence through the TTS model and the local vocoder while the rest of
/// the text still streams. Whole when built: everything it works with comes through the constructor.
/// </summary>
public sealed partial class TurnCoordinator : IDisposable
{
    private readonly TurnContext _turn;
    private readonly TurnTools _tools;
    private readonly ReplySpeaker _speaker;
    private readonly OfflinePromptPlayer _prompts;
    private readonly TurnFeatures _features;
    private readonly IWakeArbiter _arbiter;
    private readonly IInterruptibleOutput? _interruptible;
    private readonly ConversationContext _context;
    private readonly AudioTimeline _timeline;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _turnsFinished = new();
    private Speculation? _speculation;
    private Task _reply = Task.CompletedTask;
    private Task _closing = Task.CompletedTask;
    private CancellationTokenSource? _replyCancel;
    private Task<bool> _answering = Task.FromResult(true);

    /// <param name="link">The GPU server, the TTS prompt builder and the tools chat requests offer.</param>
    /// <param name="voices">
    /// The prompts and vocoders replies are voiced with: (RAP) and (哼唱) replies sing through the
    /// singing prompts and the music vocoder; <c>new VoiceSelector(voice, vocoder)</c> speaks every reply in one voice.
    /// </param>
    /// <param name="output">Where replies are played; one that is also <see cref="IInterruptibleOutput"/> is flushed on barge-in.</param>
    /// <param name="events">Receives every step of every turn.</param>
    /// <param name="timeline">Input position and wall clock, shared with the listening loop.</param>
    /// <param name="context">The conversation's history, carried by every chat request.</param>
    /// <param name="features">Arbitration, follow-ups, offline prompts, speculation; the defaults when null.</param>
    /// <param name="logger">Where failures are logged.</param>
    public TurnCoordinator(
        TurnLink link,
        VoiceSelector voices,
        IAudioOutput output,
        IPipelineEventSink events,
        AudioTimeline timeline,
        ConversationContext context,
        TurnFeatures? features = null,
        ILogger<TurnCoordinator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(voices);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(context);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _features = features ?? new TurnFeatures();
        _arbiter = _features.Arbiter ?? AlwaysAnswer.Instance;
        _interruptible = output as IInterruptibleOutput;
        _context = context;
        _timeline = timeline;
        _tools = new TurnTools(link.Tools, events, timeline);
        _turn = new TurnContext(link.Client, timeline, events, context, _tools);
        _speaker = new ReplySpeaker(_turn, link.TtsPrompts, voices, output, _logger);
        _prompts = new OfflinePromptPlayer(_features.OfflinePrompts, output, _turn, _logger);
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
        await _reply.WaitAsync(cancellationToken).ConfigureAwait(false);
        var chat = ChatStream.FromText(text, _timeline);
        await using (chat.ConfigureAwait(false))
        {
            var latency = new TurnStamps(_timeline, _timeline.Stamp()) { ChatRequest = chat.RequestStamp };
            var summary = await _speaker.SpeakAsync(chat, latency, turnId: 0, cancellationToken).ConfigureAwait(false);
            return summary.AudioSeconds;
        }
    }

    /// <summary>Stops reporting tool calls and releases the prompt renderer's cancellation.</summary>
    public void Dispose()
    {
        _tools.Dispose();
        _prompts.Dispose();
        _replyCancel?.Dispose();
    }

    /// <summary>Completes when the turn has been answered, has failed, or had no speech.</summary>
    public Task WhenTurnFinished(int turnId) => TurnCompletion(turnId).Task;

    /// <summary>Processes signals until the channel completes or <paramref name="cancellationToken"/> fires; then finishes the current reply.</summary>
    public async Task RunAsync(ChannelReader<TurnSignal> signals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signals);
        using var stopPrompts = cancellationToken.Register(_prompts.Cancel);
        try
        {
            await foreach (var signal in signals.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await HandleAsync(signal, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await CancelSpeculationAsync(emit: false).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                _replyCancel?.Cancel();
            }

            await _reply.ConfigureAwait(false);
            await _closing.ConfigureAwait(false);
            await _prompts.StopAsync().ConfigureAwait(false);
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
                await CancelSpeculationAsync(emit: false).ConfigureAwait(false);
                Emit(new WakeDetected(signal.AtMs, signal.TurnId, signal.Keyword, Math.Round(signal.Score, 4), signal.SignalToNoiseDb));
                _answering = ArbitrateAsync(signal, cancellationToken);
                break;

            case TurnSignalKind.BargeIn:
                BargeIns++;
                InterruptReply(signal);
                await CancelSpeculationAsync(emit: false).ConfigureAwait(false);
                break;

            case TurnSignalKind.FollowUp:
                // Speech in the follow-up window: a turn of the same conversation, which this speaker already won.
                _answering = Task.FromResult(true);
                Emit(new FollowUpStarted(signal.AtMs, signal.TurnId, _context.SessionId));
                break;

            case TurnSignalKind.FollowUpClosed:
                Emit(new FollowUpEnded(signal.AtMs, signal.TurnId));
                break;

            case TurnSignalKind.SpeechStart:
                Emit(new SpeechStarted(signal.AtMs, signal.TurnId));
                break;

            case TurnSignalKind.Pause:
                Emit(new SpeechPaused(signal.AtMs, signal.TurnId));
                await CancelSpeculationAsync(emit: true, signal.AtMs).ConfigureAwait(false);
                if (_features.SpeculativeResponses && (!_answering.IsCompletedSuccessfully || _answering.Result))
                {
                    _speculation = Speculation.Start(_turn, signal, cancellationToken);
                }

                break;

            case TurnSignalKind.Resume:
                await CancelSpeculationAsync(emit: true, signal.AtMs).ConfigureAwait(false);
                break;

            case TurnSignalKind.NoSpeech:
                await CancelSpeculationAsync(emit: false).ConfigureAwait(false);
                Emit(new NoSpeechHeard(signal.AtMs, signal.TurnId));
                TurnCompletion(signal.TurnId).TrySetResult();
                break;

            case TurnSignalKind.EndOfTurn:
                Emit(new EndOfTurnDetected(signal.AtMs, signal.TurnId, signal.Reason));
                var speculation = _speculation;
                _speculation = null;
                await _reply.ConfigureAwait(false);
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
    private Task CancelSpeculationAsync(bool emit, double? atMs = null)
    {
        var speculation = _speculation;
        if (speculation is null)
        {
            return Task.CompletedTask;
        }

        _speculation = null;
        if (emit)
        {
            Emit(new SpeculationCancelled(atMs ?? _timeline.NowMs, speculation.TurnId));
        }

        _closing = Task.WhenAll(_closing, speculation.DisposeAsync().AsTask());
        return Task.CompletedTask;
    }

    private async Task<bool> ArbitrateAsync(TurnSignal wake, CancellationToken cancellationToken)
    {
        try
        {
            var claim = new WakeClaim(wake.TurnId, wake.Keyword ?? string.Empty, wake.Score, wake.SignalToNoiseDb, DateTimeOffset.UtcNow);
            return await _arbiter.ShouldAnswerAsync(claim, cancellationToken).ConfigureAwait(false);
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
            if (!await answering.WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                Emit(new ArbitrationLost(_timeline.NowMs, endOfTurn.TurnId));
                return;
            }

            var tokens = await endOfTurn.Tokens!.WaitAsync(cancellationToken).ConfigureAwait(false);
            latency.TokensReady = _timeline.Stamp();
            Emit(new TokensReady(_timeline.NowMs, endOfTurn.TurnId, tokens.GroupCount, latency.Since(endStamp, latency.TokensReady)));
            if (tokens.GroupCount == 0)
            {
                throw new InvalidOperationException("The turn produced no audio tokens.");
            }

            chat = speculation is not null ? await speculation.CommitOrDiscardAsync(tokens).ConfigureAwait(false) : null;
            chat?.ReleaseTools();
            if (chat is null)
            {
                chat = _turn.StartChat(tokens, holdTools: false, cancellationToken);
                Emit(new ChatRequested(chat.RequestAtMs, endOfTurn.TurnId, tokens.GroupCount));
            }

            speculation = null;
            using var stopChat = cancellationToken.Register(chat.Cancel);
            latency.ChatRequest = chat.RequestStamp;
            var reply = await _speaker.SpeakAsync(chat, latency, endOfTurn.TurnId, cancellationToken).ConfigureAwait(false);
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
            await _prompts.SayWhatWentWrongAsync(ex, endOfTurn.TurnId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (speculation is not null)
            {
                await speculation.DisposeAsync().ConfigureAwait(false);
            }

            if (chat is not null)
            {
                await chat.DisposeAsync().ConfigureAwait(false);
            }

            TurnCompletion(endOfTurn.TurnId).TrySetResult();
        }
    }

    private TaskCompletionSource TurnCompletion(int turnId) =>
        _turnsFinished.GetOrAdd(turnId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Emit(PipelineEvent pipelineEvent) => _turn.Emit(pipelineEvent);

    /// <summary>
    /// Keeps a finished turn in the history: the user's turn as the request carried it (so the next
    /// request extends this one's prefix) and the reply as spoken. A cancelled or failed turn never gets
    /// here, so it leaves no half-answer behind.
    /// </summary>
    private void RecordTurn(ChatStream chat, ReplySummary reply)
    {
        if (chat.UserContent is { Length: > 0 } user && !string.IsNullOrWhiteSpace(reply.Text))
        {
            _context.RecordTurn(user, reply.Text);
        }
    }

    /// <summary>The reply has played: listen without the wake word for a while, and use the quiet moment to render missing prompts.</summary>
    private void AfterSpokenReply(int turnId)
    {
        var window = _context.Options.FollowUpWindow;
        if (_features.FollowUpWindow is { } followUp && window > TimeSpan.Zero)
        {
            followUp.OpenFollowUpWindow(window);
            Emit(new FollowUpOpened(_timeline.NowMs, turnId, window.TotalMilliseconds, _context.SessionId));
        }

        _prompts.PrepareInBackground();
    }

    /// <summary>
    /// The listening loop has already silenced the output on the frame it heard the user; here the
    /// reply is cancelled (synthesis, TTS and chat streams close with it) and, once it has stopped,
    /// the output is flushed again so nothing the reply wrote in the meantime is played. The next
    /// reply waits for this.
    /// </summary>
    private void InterruptReply(TurnSignal bargeIn)
    {
        var reply = _reply;
        var playing = !reply.IsCompleted;

        // The flush becomes the current reply before the cancellation ends the turn: whoever sees the turn end and
        // then waits for the current reply waits for the flush too, not for the reply it replaces.
        _reply = FlushAfterAsync(reply);
        _replyCancel?.Cancel();
        Emit(new BargedIn(bargeIn.AtMs, bargeIn.TurnId, bargeIn.Keyword, bargeIn.SpeechMs, Math.Round(bargeIn.Score, 4), playing, StopLatencyFrames: 0));
    }

    private async Task FlushAfterAsync(Task reply)
    {
        // ReplyAsync reports its own failures; only its end matters here.
        await reply.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_interruptible is not null)
        {
            await _interruptible.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

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

    }
}
