using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Ops.Arbitration;

/// <summary>Which home the speaker belongs to, for wake arbitration. Section "Fleet:Arbitration" of the host configuration.</summary>
public sealed class HomeArbitrationOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Arbitration";

    /// <summary>Home name (a topic segment); empty means no arbitration: the device always answers its own wake.</summary>
    [RegularExpression("^([A-Za-z0-9_.-]{1,64})?$", ErrorMessage = "Home must be empty or 1-64 of A-Z a-z 0-9 _ . - (one topic level).")]
    public string Home { get; set; } = string.Empty;

    /// <summary>
    /// How long a claim waits for the other speakers' claims before the device decides. Long enough for a round trip
    /// through the broker on the home network, short enough not to be heard.
    /// </summary>
    [Range(10, 2000)]
    public int WindowMs { get; set; } = 150;

    /// <summary>True when <see cref="Home"/> names a home.</summary>
    public bool Enabled => !string.IsNullOrEmpty(Home);

    public TimeSpan Window => TimeSpan.FromMilliseconds(WindowMs);
}

/// <summary>Source-generated validator for <see cref="HomeArbitrationOptions"/>.</summary>
[OptionsValidator]
public sealed partial class HomeArbitrationOptionsValidator : IValidateOptions<HomeArbitrationOptions>;
