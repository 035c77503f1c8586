using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Engine.Tools;

/// <summary>The tools the chat model may call beside the conversation (section <c>Tools</c>).</summary>
public sealed class ToolsOptions : IValidatableObject
{
    /// <summary>Whether chat requests offer tools at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where timers and the volume are kept; empty: the host's state directory + <c>/tools</c>.</summary>
    public string StateDirectory { get; set; } = string.Empty;

    /// <summary>How long one tool call may take before the model is told it timed out.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Tool rounds per turn; the request after the last one forbids further calls.</summary>
    [Range(1, 8)]
    public int MaxRounds { get; set; } = 3;

    /// <summary>Timers.</summary>
    [Required]
    [ValidateObjectMembers]
    public TimerOptions Timers { get; set; } = new();

    /// <summary>The weather provider.</summary>
    [Required]
    [ValidateObjectMembers]
    public WeatherOptions Weather { get; set; } = new();

    /// <summary>The volume tool.</summary>
    [Required]
    [ValidateObjectMembers]
    public VolumeOptions Volume { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (StateDirectory.Length > 0 && !Path.IsPathFullyQualified(StateDirectory))
        {
            yield return new ValidationResult(
                $"Tools:StateDirectory must be an absolute path, got '{StateDirectory}'.", [nameof(StateDirectory)]);
        }
    }
}

/// <summary>Timers: limits, ringing, and what happens to timers due while the device was off.</summary>
public sealed class TimerOptions
{
    /// <summary>Longest timer accepted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most timers running at once.</summary>
    [Range(1, 100)]
    public int MaxTimers { get; set; } = 20;

    /// <summary>A ringing timer stops by itself after this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan RingLimit { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Silence between two chimes while ringing.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan ChimeGap { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A timer found overdue at start rings when it is at most this late; a later one is reported
    /// as missed (an event and a log line) and dropped.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MissedGrace { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>The HTTP weather provider.</summary>
public sealed class WeatherOptions : IValidatableObject
{
    /// <summary>
    /// The request URL with <c>{location}</c> where the (escaped) place name goes, e.g.
    /// <c>http://127.0.0.1:8089/weather?location={location}</c>. Empty: no weather tool.
    /// </summary>
    public string UrlTemplate { get; set; } = string.Empty;

    /// <summary>Used when the user names no place.</summary>
    public string DefaultLocation { get; set; } = string.Empty;

    /// <summary>How long the provider may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UrlTemplate.Length == 0)
        {
            yield break;
        }

        if (!UrlTemplate.Contains("{location}", StringComparison.Ordinal))
        {
            yield return new ValidationResult(
                $"Tools:Weather:UrlTemplate must contain '{{location}}', got '{UrlTemplate}'.", [nameof(UrlTemplate)]);
        }

        string probe = UrlTemplate.Replace("{location}", "x", StringComparison.Ordinal);
        if (!Uri.TryCreate(probe, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult(
                $"Tools:Weather:UrlTemplate must be an absolute http:// or https:// URL, got '{UrlTemplate}'.", [nameof(UrlTemplate)]);
        }
    }
}

/// <summary>The volume tool.</summary>
public sealed class VolumeOptions
{
    /// <summary>Percent points one "up" or "down" moves.</summary>
    [Range(1, 50)]
    public int Step { get; set; } = 10;

    /// <summary>The volume in percent before anyone set one.</summary>
    [Range(0, 100)]
    public int Initial { get; set; } = 60;
}

/// <summary>Source-generated validation of <see cref="ToolsOptions"/> and its sections.</summary>
[OptionsValidator]
public sealed partial class ToolsOptionsValidator : IValidateOptions<ToolsOptions>;
