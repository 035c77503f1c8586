using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Engine.Endpointing;

/// <summary>When a turn starts, pauses and ends.</summary>
public sealed class EndpointingOptions : IValidatableObject
{
    /// <summary>VAD probability at or above which a frame is speech.</summary>
    [Range(0.05, 0.99)]
    public float SpeechThreshold { get; set; } = 0.5f;

    /// <summary>VAD probability below which a frame is silence; between the two the current run continues (hysteresis).</summary>
    [Range(0.01, 0.99)]
    public float SilenceThreshold { get; set; } = 0.35f;

    /// <summary>Speech needed before a turn counts as started (ignores clicks and coughs).</summary>
    [Range(32, 2000)]
    public int MinSpeechMs { get; set; } = 160;

    /// <summary>Speech needed to leave a pause (shorter than <see cref="MinSpeechMs"/>: the user is already talking).</summary>
    [Range(32, 2000)]
    public int ResumeSpeechMs { get; set; } = 96;

    /// <summary>Silence after speech that counts as a pause and starts a speculative response.</summary>
    [Range(64, 5000)]
    public int PauseMs { get; set; } = 256;

    /// <summary>The longest <see cref="EndOfTurnMs"/>; the listening loop sizes its pause hold for it.</summary>
    public const int MaxEndOfTurnMs = 10_000;

    /// <summary>Silence after speech that ends the turn (includes the pause).</summary>
    [Range(128, MaxEndOfTurnMs)]
    public int EndOfTurnMs { get; set; } = 704;

    /// <summary>Longest turn; it ends here even if the user keeps talking.</summary>
    [Range(1000, 120_000)]
    public int MaxTurnMs { get; set; } = 20_000;

    /// <summary>How long after the wake word the user may stay silent before the turn is abandoned.</summary>
    [Range(500, 30_000)]
    public int NoSpeechTimeoutMs { get; set; } = 5000;

    /// <inheritdoc />
    /// <remarks>Cross-field rules: the silence threshold sits below the speech threshold and the turn ends after the pause.</remarks>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SilenceThreshold > SpeechThreshold)
        {
            yield return new ValidationResult("must not exceed SpeechThreshold", [nameof(SilenceThreshold)]);
        }

        if (EndOfTurnMs <= PauseMs)
        {
            yield return new ValidationResult("must be longer than PauseMs", [nameof(EndOfTurnMs)]);
        }
    }
}

/// <summary>The attribute checks and <see cref="EndpointingOptions.Validate"/>, generated.</summary>
[OptionsValidator]
public sealed partial class EndpointingOptionsValidator : IValidateOptions<EndpointingOptions>;
