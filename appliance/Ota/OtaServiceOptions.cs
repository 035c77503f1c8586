using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// The appliance's side of the OTA agent (section <c>Ota</c>, beside the agent's own
/// <see cref="StepAudio.Ops.Ota.OtaAgentOptions"/> keys and <c>Ota:Rauc</c>).
/// </summary>
public sealed class OtaServiceOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Ota";

    /// <summary>RAUC's system configuration when <c>Ota:Rauc:ConfigPath</c> does not name one.</summary>
    public const string DefaultSystemConf = "/etc/rauc/system.conf";

    /// <summary>
    /// Run the update agent. Unset: on when RAUC's system.conf exists (an A/B image), off otherwise
    /// (a development box), with the reason logged at start.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>The health clip's manifest, installed with the image (see image/README.md).</summary>
    [Required]
    public string HealthManifest { get; set; } = "/usr/share/stepaudio-edge/health/health-clip.json";

    /// <summary>The command that reboots the machine, program first, arguments separated by spaces.</summary>
    [Required]
    public string RebootCommand { get; set; } = "systemctl reboot";

    /// <summary>Longest the reboot command may take to hand the reboot to the service manager.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RebootCommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the health check waits for audio frames to flow and the broker to connect.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Longest a GPU server reachability request may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ServerTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause before the agent is resumed after an unexpected failure (a rauc that cannot be started, say).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Checks <see cref="OtaServiceOptions"/> (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class OtaServiceOptionsValidator : IValidateOptions<OtaServiceOptions>;
