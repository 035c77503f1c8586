using StepAudio.Engine.Tokenizer;

namespace StepAudio.Engine.Pipeline;

/// <summary>What the listening loop tells the turn coordinator.</summary>
public enum TurnSignalKind
{
    /// <summary>A wake word started a turn.</summary>
    Wake,

    /// <summary>The user started talking.</summary>
    SpeechStart,

    /// <summary>The user paused; <see cref="TurnSignal.Tokens"/> holds the tokens so far.</summary>
    Pause,

    /// <summary>The user went on talking; the speculation is void.</summary>
    Resume,

    /// <summary>The turn is over; <see cref="TurnSignal.Tokens"/> holds the final tokens.</summary>
    EndOfTurn,

    /// <summary>Nobody spoke after the wake word.</summary>
    NoSpeech,

    /// <summary>The user talked over the reply (or said the wake word): playback was stopped on this frame.</summary>
    BargeIn,

    /// <summary>Speech in the follow-up window started a turn without the wake word (same conversation, no arbitration).</summary>
    FollowUp,

    /// <summary>The follow-up window ran out without speech: back to waiting for the wake word.</summary>
    FollowUpClosed,
}

/// <summary>A turn-taking step, sent from the audio thread to the coordinator. Rare: a few per turn.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="AtMs">Input-audio position in ms.</param>
/// <param name="TurnId">Which turn it belongs to.</param>
/// <param name="Keyword">The wake word (Wake only).</param>
/// <param name="Score">The wake score (Wake only).</param>
public readonly record struct TurnSignal(
    TurnSignalKind Kind,
    double AtMs,
    int TurnId,
    string? Keyword = null,
    float Score = 0)
{
    /// <summary>The tokenizer's work for Pause (snapshot) and EndOfTurn (final).</summary>
    public Task<AudioTokens>? Tokens { get; init; }

    /// <summary>Why the turn ended (EndOfTurn only): silence or maximum length; BargeIn: what stopped the reply.</summary>
    public string? Reason { get; init; }

    /// <summary>Wake only: the wake phrase's level over the room's noise floor.</summary>
    public double SignalToNoiseDb { get; init; }

    /// <summary>BargeIn only: how long the user had been talking over the reply when it was stopped.</summary>
    public int SpeechMs { get; init; }
}
