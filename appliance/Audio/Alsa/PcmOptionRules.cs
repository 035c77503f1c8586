using System.ComponentModel.DataAnnotations;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>The rules across fields that capture and playback options share.</summary>
internal static class PcmOptionRules
{
    /// <summary>The buffer holds two periods; the reopen delays grow, not shrink.</summary>
    public static IEnumerable<ValidationResult> Validate(int bufferFrames, int periodFrames, int reopenInitialDelayMs, int reopenMaxDelayMs)
    {
        if (bufferFrames < 2 * periodFrames)
        {
            yield return new ValidationResult("must hold at least two periods (2 x PeriodFrames)", ["BufferFrames"]);
        }

        if (reopenMaxDelayMs < reopenInitialDelayMs)
        {
            yield return new ValidationResult("must not be shorter than ReopenInitialDelayMs", ["ReopenMaxDelayMs"]);
        }
    }
}
