namespace StepAudio.Engine.Endpointing;

/// <summary>
/// The turn-taking state machine: Silence -> UserSpeaking -> UserPaused -> EndOfTurn, fed one VAD
/// probability per frame. Pure: no clock, no I/O, no allocation; time is the sum of frame lengths,
/// so the same probabilities always give the same events.
/// </summary>
public sealed class EndpointDetector
{
    private EndpointingOptions _options;
    private long _nowMs;
    private long _speechRunMs;
    private long _speechRunStartMs;
    private long _silenceRunMs;
    private long _speechStartedAtMs;
    private long _lastSpeechEndMs;
    private long _turnStartMs;

    public EndpointDetector(EndpointingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>The current state.</summary>
    public TurnState State { get; private set; }

    /// <summary>Turn time in ms: the sum of the frames seen since <see cref="Reset"/>.</summary>
    public long NowMs => _nowMs;

    /// <summary>Takes new thresholds and timings; they apply from the next frame (a live config change).</summary>
    public void UpdateOptions(EndpointingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Starts a new turn (after a wake word) at turn time <paramref name="startMs"/>.</summary>
    public void Reset(long startMs = 0)
    {
        State = TurnState.Silence;
        _nowMs = startMs;
        _turnStartMs = startMs;
        _speechRunMs = 0;
        _speechRunStartMs = startMs;
        _silenceRunMs = 0;
        _speechStartedAtMs = startMs;
        _lastSpeechEndMs = startMs;
    }

    /// <summary>Advances by one frame of <paramref name="frameMs"/> with the VAD's speech probability.</summary>
    public EndpointEvent Advance(float speechProbability, int frameMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameMs);
        var options = _options;
        var frameStart = _nowMs;
        _nowMs += frameMs;

        if (speechProbability >= options.SpeechThreshold)
        {
            if (_speechRunMs == 0)
            {
                _speechRunStartMs = frameStart;
            }

            _speechRunMs += frameMs;
            _silenceRunMs = 0;
        }
        else if (speechProbability < options.SilenceThreshold)
        {
            if (_silenceRunMs == 0)
            {
                _lastSpeechEndMs = frameStart;
            }

            _silenceRunMs += frameMs;
            _speechRunMs = 0;
        }
        else if (State == TurnState.Silence)
        {
            // Undecided frames do not start a turn on their own.
            _speechRunMs = 0;
        }

        return State switch
        {
            TurnState.Silence => InSilence(options),
            TurnState.UserSpeaking => InSpeech(options),
            TurnState.UserPaused => InPause(options),
            _ => default,
        };
    }

    private EndpointEvent InSilence(EndpointingOptions options)
    {
        if (_speechRunMs >= options.MinSpeechMs)
        {
            State = TurnState.UserSpeaking;
            _speechStartedAtMs = _speechRunStartMs;
            return new EndpointEvent(EndpointEventKind.SpeechStart, _speechRunStartMs);
        }

        if (_speechRunMs == 0 && _nowMs - _turnStartMs >= options.NoSpeechTimeoutMs)
        {
            State = TurnState.EndOfTurn;
            return new EndpointEvent(EndpointEventKind.NoSpeech, _nowMs);
        }

        return default;
    }

    private EndpointEvent InSpeech(EndpointingOptions options)
    {
        if (_nowMs - _speechStartedAtMs >= options.MaxTurnMs)
        {
            State = TurnState.EndOfTurn;
            return new EndpointEvent(EndpointEventKind.MaxLengthReached, _nowMs);
        }

        if (_silenceRunMs >= options.PauseMs)
        {
            State = TurnState.UserPaused;
            return new EndpointEvent(EndpointEventKind.Pause, _lastSpeechEndMs);
        }

        return default;
    }

    private EndpointEvent InPause(EndpointingOptions options)
    {
        if (_speechRunMs >= options.ResumeSpeechMs)
        {
            State = TurnState.UserSpeaking;
            return new EndpointEvent(EndpointEventKind.Resume, _speechRunStartMs);
        }

        if (_silenceRunMs >= options.EndOfTurnMs)
        {
            State = TurnState.EndOfTurn;
            return new EndpointEvent(EndpointEventKind.EndOfTurn, _nowMs);
        }

        if (_nowMs - _speechStartedAtMs >= options.MaxTurnMs)
        {
            State = TurnState.EndOfTurn;
            return new EndpointEvent(EndpointEventKind.MaxLengthReached, _nowMs);
        }

        return default;
    }
}
