using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Appliance.Hardware.Buttons;

/// <summary>Where the mute and action buttons are wired and how their edges are read.</summary>
public sealed class ButtonOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Hardware:Buttons";

    /// <summary>GPIO pin (logical numbering) of the mute button.</summary>
    [Range(0, 1023)]
    public int MutePin { get; set; } = 17;

    /// <summary>GPIO pin (logical numbering) of the action button.</summary>
    [Range(0, 1023)]
    public int ActionPin { get; set; } = 27;

    /// <summary>
    /// True when a pressed button pulls the pin low (the usual wiring: button to ground, pull-up on the pin).
    /// </summary>
    public bool ActiveLow { get; set; } = true;

    /// <summary>How long a pin must stay at one level before the level counts (contact chatter is shorter).</summary>
    [Range(1, 500)]
    public int DebounceMs { get; set; } = 30;

    /// <summary>How long the action button must be held for a long press (a turn without the wake word).</summary>
    [Range(100, 10_000)]
    public int LongPressMs { get; set; } = 800;

    /// <inheritdoc />
    /// <remarks>Two distinct pins, and a long press longer than the debounce.</remarks>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MutePin == ActionPin)
        {
            yield return new ValidationResult("must differ from MutePin (one pin cannot be both buttons)", [nameof(ActionPin)]);
        }

        if (LongPressMs <= DebounceMs)
        {
            yield return new ValidationResult("must be longer than DebounceMs", [nameof(LongPressMs)]);
        }
    }
}

/// <summary>The attribute checks and <see cref="ButtonOptions.Validate"/>, generated.</summary>
[OptionsValidator]
public sealed partial class ButtonOptionsValidator : IValidateOptions<ButtonOptions>;
