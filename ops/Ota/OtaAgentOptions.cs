using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Ops.Ota;

/// <summary>The OTA agent's settings (section <c>Ota</c>).</summary>
public sealed class OtaAgentOptions
{
    /// <summary>Where the agent keeps its state file; on the persistent data partition.</summary>
    [Required]
    public string StateDirectory { get; set; } = "/var/lib/stepaudio-edge/ota";

    /// <summary>Where bundles are downloaded; on the data partition, never a slot.</summary>
    [Required]
    public string DownloadDirectory { get; set; } = "/var/lib/stepaudio-edge/ota/download";

    /// <summary>Download rate limit in bytes per second; 0 for none.</summary>
    [Range(0, long.MaxValue)]
    public long MaxBytesPerSecond { get; set; }

    /// <summary>Room that must stay free beside the bundle.</summary>
    [Range(0, long.MaxValue)]
    public long FreeSpaceMarginBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Connection attempts without progress before the download gives up.</summary>
    [Range(1, 100)]
    public int MaxDownloadAttempts { get; set; } = 6;

    /// <summary>First pause between download attempts; doubles each time.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DownloadRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A connection that delivers nothing for this long is dropped and resumed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan DownloadStallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Least time between two progress reports.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often to look whether the device is idle while a reboot waits.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Boots of the new slot allowed before the update counts as failed (the bootloader keeps its own count too).</summary>
    [Range(1, 10)]
    public int MaxBootAttempts { get; set; } = 3;

    /// <summary>Times the agent runs <c>rauc install</c> for one job before it gives up.</summary>
    [Range(1, 10)]
    public int MaxInstallAttempts { get; set; } = 2;

    /// <summary>Longest the health probe may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The device's half of a downgrade: a job for an older version than the running one is refused unless the job
    /// says <c>downgrade</c> and this is true. RAUC before 1.13 has no <c>min-bundle-version</c>, so this is the check.
    /// </summary>
    public bool AllowDowngrade { get; set; }

    /// <summary>The version the appliance reports when RAUC has no record for the booted slot (a factory image).</summary>
    public string? InstalledVersion { get; set; }
}

/// <summary>Checks <see cref="OtaAgentOptions"/> (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class OtaAgentOptionsValidator : IValidateOptions<OtaAgentOptions>;
