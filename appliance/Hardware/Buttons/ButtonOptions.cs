using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Appliance.Hardware.Buttons;

/// <summary>Where the mute and action buttons are wired and how their edges are read.</summary>
public sealed class ButtonOptions
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
}

/// <summary>Cross-field rules of <see cref="ButtonOptions"/> on top of the generated attribute checks.</summary>
[OptionsValidator]
public sealed partial class ButtonOptionsValidator : IValidateOptions<ButtonOptions>
{
    /// <summary>Validates attributes and the relations between fields.</summary>
    public static ValidateOptionsResult ValidateAll(string? name, ButtonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(new ButtonOptionsValidator().Validate(name, options));
        if (options.MutePin == options.ActionPin)
        {
            builder.AddError("must differ from MutePin (one pin cannot be both buttons)", nameof(ButtonOptions.ActionPin));
        }

        if (options.LongPressMs <= options.DebounceMs)
        {
            builder.AddError("must be longer than DebounceMs", nameof(ButtonOptions.LongPressMs));
        }

        return builder.Build();
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> naming every bad field.</summary>
    internal static void ThrowIfInvalid(ButtonOptions options)
    {
        var result = ValidateAll(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(ButtonOptions), typeof(ButtonOptions), result.Failures);
        }
    }
}
