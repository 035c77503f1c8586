using Microsoft.Extensions.Logging;
using StepAudio.Engine.Tts;

namespace StepAudio.Engine.Link;

/// <summary>
/// Counts, over every TTS stream of one client, the audio ids that Step-Audio's repetition guard
/// would have banned, and warns once: a server without the guard breaks it in nearly every
/// utterance, so one warning per client says it without flooding the log.
/// </summary>
internal sealed partial class TtsRepetitionGuardLedger(bool requested, ILogger logger)
{
    private int _violations;
    private int _reported;

    /// <summary>The banned ids seen so far; above 0 means the server does not apply the guard.</summary>
    public int Violations => Volatile.Read(ref _violations);

    /// <summary>Adds what one finished stream's <paramref name="guard"/> saw.</summary>
    public void Record(RepetitionGuardMonitor guard)
    {
        if (guard.Violations == 0)
        {
            return;
        }

        Interlocked.Add(ref _violations, guard.Violations);
        if (Interlocked.Exchange(ref _reported, 1) == 0)
        {
            Log.RepetitionGuardNotApplied(logger, guard.FirstViolatingId - AudioTokenText.LlmIdOffset, guard.Violations, requested);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1309, Level = LogLevel.Warning,
            Message = "The TTS server does not apply Step-Audio's repetition guard: audio id {AudioId} repeated where the guard bans it ({Violations} times in one utterance; guard requested: {Requested}). Load the guard's logits processor in vLLM; speech may loop or stutter until then")]
        public static partial void RepetitionGuardNotApplied(ILogger logger, int audioId, int violations, bool requested);
    }
}
