using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Ops.Ota.Rauc;

/// <summary>How to run the <c>rauc</c> command line (section <c>Ota:Rauc</c>).</summary>
public sealed class RaucCliOptions
{
    /// <summary>The rauc executable.</summary>
    [Required]
    public string Executable { get; set; } = "rauc";

    /// <summary>system.conf; null uses RAUC's default (<c>/etc/rauc/system.conf</c>).</summary>
    public string? ConfigPath { get; set; }

    /// <summary>A keyring overriding system.conf's; null uses the configured one.</summary>
    public string? KeyringPath { get; set; }

    /// <summary>Longest a rauc command may run (an install of a large slot takes minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "02:00:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// Extra environment for rauc. Empty on a device (the CLI reaches <c>rauc service</c> on the
    /// system bus); tests point it at a private bus with <c>DBUS_STARTER_BUS_TYPE=session</c>.
    /// </summary>
    public Dictionary<string, string> Environment { get; } = [];
}

/// <summary>Checks <see cref="RaucCliOptions"/> (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class RaucCliOptionsValidator : IValidateOptions<RaucCliOptions>;
