namespace StepAudio.Engine.Endpointing;

/// <summary>Where a turn stands.</summary>
public enum TurnState
{
    /// <summary>Awake, waiting for the user to start talking.</summary>
    Silence,

    /// <summary>The user is talking.</summary>
    UserSpeaking,

    /// <summary>The user stopped briefly; a speculative response may run.</summary>
    UserPaused,

    /// <summary>The turn is over; the detector waits for a reset.</summary>
    EndOfTurn,
}

/// <summary>What changed on a frame.</summary>
public enum EndpointEventKind
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>Speech started (timestamp: the start of the speech run).</summary>
    SpeechStart,

    /// <summary>A pause began: start a speculative response (timestamp: the end of speech).</summary>
    Pause,

    /// <summary>Speech resumed during a pause: discard the speculation.</summary>
    Resume,

    /// <summary>The turn ended after enough silence: commit.</summary>
    EndOfTurn,

    /// <summary>The turn reached its maximum length: commit what there is.</summary>
    MaxLengthReached,

    /// <summary>No speech followed the wake word: abandon the turn.</summary>
    NoSpeech,
}

/// <summary>An endpointing transition.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="AtMs">When, in ms of turn audio.</param>
public readonly record struct EndpointEvent(EndpointEventKind Kind, long AtMs)
{
    /// <summary>True when the turn is over, for whatever reason.</summary>
    public bool EndsTurn => Kind is EndpointEventKind.EndOfTurn or EndpointEventKind.MaxLengthReached or EndpointEventKind.NoSpeech;
}
