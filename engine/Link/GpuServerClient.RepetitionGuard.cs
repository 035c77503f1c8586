using Microsoft.Extensions.Logging;
using StepAudio.Engine.Tts;

namespace StepAudio.Engine.Link;

public sealed partial class GpuServerClient
{
    private int _guardViolations;
    private int _guardReported;

    /// <summary>
    /// TTS ids, over every stream so far, that Step-Audio's repetition guard bans at their step:
    /// above 0 means the server does not apply the guard (see <see cref="GpuServerOptions.TtsRepetitionGuard"/>).
    /// </summary>
    public int TtsRepetitionGuardViolations => Volatile.Read(ref _guardViolations);

    private void ReportRepetitionGuard(RepetitionGuardMonitor guard)
    {
        if (guard.Violations == 0)
        {
            return;
        }

        Interlocked.Add(ref _guardViolations, guard.Violations);

        // Once per client: a server without the guard breaks it in nearly every utterance.
        if (Interlocked.Exchange(ref _guardReported, 1) == 0)
        {
            Log.RepetitionGuardNotApplied(_logger, guard.FirstViolatingId - AudioTokenText.LlmIdOffset, guard.Violations, _options.TtsRepetitionGuard);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1309, Level = LogLevel.Warning,
            Message = "The TTS server does not apply Step-Audio's repetition guard: audio id {AudioId} repeated where the guard bans it ({Violations} times in one utterance; guard requested: {Requested}). Load the guard's logits processor in vLLM; speech may loop or stutter until then")]
        public static partial void RepetitionGuardNotApplied(ILogger logger, int audioId, int violations, bool requested);
    }
}
