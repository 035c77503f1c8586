using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Link;

namespace StepAudio.Engine.Conversation;

/// <summary>
/// The conversation's history as the chat model sees it (STEP-AUDIO.md section 3): the system turn,
/// then each finished turn as a user message (its transcript when one is known, else its audio token
/// string) and the assistant's reply text, then the current turn. The list only grows between trims,
/// so consecutive requests, a speculative one and its committed twin included, share their prefix and
/// the server's prefix cache stays warm. Over the token budget the oldest whole turns go first; the
/// system turn and the current turn are never dropped. A session idle past the timeout is forgotten.
/// Thread-safe: the coordinator and its speculations call it from different tasks.
/// </summary>
public sealed partial class ConversationContext
{
    private readonly Lock _gate = new();
    private readonly List<HistoryTurn> _turns = [];
    private readonly ConversationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChatMessage _system;
    private readonly int _systemTokens;
    private int _historyTokens;
    private long _lastActivity;
    private int _sessionId = 1;

    /// <param name="options">Budget and idle timeout; validated here.</param>
    /// <param name="systemPrompt">The system turn that opens every request.</param>
    /// <param name="timeProvider">The clock for the idle timeout; the system clock when null.</param>
    /// <param name="logger">Where trims and expiries are logged.</param>
    public ConversationContext(ConversationOptions options, string systemPrompt, TimeProvider? timeProvider = null, ILogger<ConversationContext>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(systemPrompt);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _system = new ChatMessage(ChatMessage.System, systemPrompt);
        _systemTokens = ContextTokenCounter.CountMessage(systemPrompt);
        _lastActivity = _time.GetTimestamp();
    }

    /// <summary>The options in force.</summary>
    public ConversationOptions Options => _options;

    /// <summary>Which conversation this is: it goes up each time the history is forgotten.</summary>
    public int SessionId
    {
        get
        {
            lock (_gate)
            {
                return _sessionId;
            }
        }
    }

    /// <summary>Finished turns kept in the history.</summary>
    public int TurnCount
    {
        get
        {
            lock (_gate)
            {
                return _turns.Count;
            }
        }
    }

    /// <summary>Tokens the kept history costs (without the system and current turns).</summary>
    public int HistoryTokens
    {
        get
        {
            lock (_gate)
            {
                return _historyTokens;
            }
        }
    }

    /// <summary>
    /// The request for the current turn: system, history, then <paramref name="currentUserContent"/>
    /// (the turn's audio token string, or its text). Forgets an idle session first, and drops the oldest
    /// turns when the request would not fit the budget.
    /// </summary>
    public IReadOnlyList<ChatMessage> BuildMessages(string currentUserContent)
    {
        ArgumentException.ThrowIfNullOrEmpty(currentUserContent);
        var currentTokens = ContextTokenCounter.CountMessage(currentUserContent);
        lock (_gate)
        {
            ExpireIfIdle();
            Touch();
            if (_systemTokens + _historyTokens + currentTokens > _options.HistoryTokenBudget)
            {
                Trim((int)(_options.HistoryTokenBudget * _options.TrimToFraction) - _systemTokens - currentTokens);
            }

            var messages = new List<ChatMessage>(2 + (2 * _turns.Count)) { _system };
            foreach (var turn in _turns)
            {
                messages.Add(turn.User);
                messages.Add(turn.Assistant);
            }

            messages.Add(new ChatMessage(ChatMessage.Human, currentUserContent));
            return messages;
        }
    }

    /// <summary>
    /// A turn was answered: <paramref name="userContent"/> is what the request carried for it (its audio
    /// token string), <paramref name="assistantText"/> what was spoken back. When the transcript is
    /// already known it is kept instead of the audio, as the paper's context manager does.
    /// </summary>
    public void RecordTurn(string userContent, string assistantText, string? userTranscript = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userContent);
        ArgumentException.ThrowIfNullOrWhiteSpace(assistantText);
        var user = string.IsNullOrWhiteSpace(userTranscript) ? userContent : userTranscript;
        var turn = new HistoryTurn(
            new ChatMessage(ChatMessage.Human, user),
            new ChatMessage(ChatMessage.Assistant, assistantText),
            ContextTokenCounter.CountMessage(user) + ContextTokenCounter.CountMessage(assistantText));
        lock (_gate)
        {
            ExpireIfIdle();
            Touch();
            _turns.Add(turn);
            _historyTokens += turn.Tokens;
        }
    }

    /// <summary>
    /// The transcript of a user turn learned after the turn was recorded. It replaces the turn's audio
    /// at the next trim, when the prefix changes anyway, rather than now, which would cost the server
    /// its cached prefix. False when no kept turn carries <paramref name="userContent"/>.
    /// </summary>
    public bool AttachTranscript(string userContent, string transcript)
    {
        ArgumentException.ThrowIfNullOrEmpty(userContent);
        ArgumentException.ThrowIfNullOrWhiteSpace(transcript);
        lock (_gate)
        {
            for (var i = _turns.Count - 1; i >= 0; i--)
            {
                if (ReferenceEquals(_turns[i].User.Content, userContent) || _turns[i].User.Content == userContent)
                {
                    _turns[i] = _turns[i] with { PendingTranscript = transcript };
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Forgets the conversation now (a new session starts).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            ClearCore();
        }
    }

    private void ExpireIfIdle()
    {
        if (_turns.Count > 0 && _time.GetElapsedTime(_lastActivity) > _options.IdleTimeout)
        {
            Log.SessionExpired(_logger, _sessionId, _turns.Count, _options.IdleTimeout.TotalSeconds);
            ClearCore();
        }
    }

    private void ClearCore()
    {
        if (_turns.Count > 0)
        {
            _sessionId++;
        }

        _turns.Clear();
        _historyTokens = 0;
    }

    private void Touch() => _lastActivity = _time.GetTimestamp();

    /// <summary>Applies late transcripts, then drops the oldest turns until the history fits <paramref name="historyBudget"/>.</summary>
    private void Trim(int historyBudget)
    {
        var before = _turns.Count;
        _historyTokens = 0;
        for (var i = 0; i < _turns.Count; i++)
        {
            if (_turns[i].PendingTranscript is { } transcript)
            {
                var user = new ChatMessage(ChatMessage.Human, transcript);
                _turns[i] = _turns[i] with
                {
                    User = user,
                    PendingTranscript = null,
                    Tokens = ContextTokenCounter.CountMessage(transcript) + ContextTokenCounter.CountMessage(_turns[i].Assistant.Content),
                };
            }

            _historyTokens += _turns[i].Tokens;
        }

        var drop = 0;
        while (drop < _turns.Count && _historyTokens > Math.Max(0, historyBudget))
        {
            _historyTokens -= _turns[drop].Tokens;
            drop++;
        }

        _turns.RemoveRange(0, drop);
        Log.Trimmed(_logger, drop, before, _turns.Count, _historyTokens, _options.HistoryTokenBudget);
    }

    private sealed record HistoryTurn(ChatMessage User, ChatMessage Assistant, int Tokens, string? PendingTranscript = null);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Conversation {Session} forgotten after {Seconds:0} s idle ({Turns} turns)")]
        public static partial void SessionExpired(ILogger logger, int session, int turns, double seconds);

        [LoggerMessage(EventId = 1402, Level = LogLevel.Debug, Message = "Conversation history trimmed: {Dropped} of {Before} turns dropped, {Kept} kept ({Tokens} tokens, budget {Budget})")]
        public static partial void Trimmed(ILogger logger, int dropped, int before, int kept, int tokens, int budget);
    }
}
