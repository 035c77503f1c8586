namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>What a device heard when it woke, for deciding which of several speakers answers.</summary>
/// <param name="TurnId">The turn the wake started.</param>
/// <param name="Keyword">The wake word.</param>
/// <param name="Score">The wake word's score, 0..1.</param>
/// <param name="SignalToNoiseDb">Speech level over the room's noise floor around the wake word, in dB.</param>
/// <param name="HeardAt">When the wake word was heard (wall clock).</param>
public sealed record WakeClaim(int TurnId, string Keyword, float Score, double SignalToNoiseDb, DateTimeOffset HeardAt);

/// <summary>
/// Decides whether this device answers a wake that other speakers in the same home may also have
/// heard. A device alone, or without a broker, answers at once.
/// </summary>
public interface IWakeArbiter
{
    /// <summary>True when this device should answer; completes within the arbitration window.</summary>
    Task<bool> ShouldAnswerAsync(WakeClaim claim, CancellationToken cancellationToken);
}

/// <summary>The arbiter of a device alone: it always answers.</summary>
public sealed class AlwaysAnswer : IWakeArbiter
{
    /// <summary>The shared instance.</summary>
    public static AlwaysAnswer Instance { get; } = new();

    /// <inheritdoc />
    public Task<bool> ShouldAnswerAsync(WakeClaim claim, CancellationToken cancellationToken) => Task.FromResult(true);
}
