using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Appliance.Hosting;

/// <summary>How the service runs under its supervisor.</summary>
public sealed class HostingOptions
{
    /// <summary>
    /// Watchdog ping interval when systemd does not say (WATCHDOG_USEC); pings are sent at half
    /// the watchdog period and only while the audio loop makes progress.
    /// </summary>
    [Range(100, 600_000)]
    public int WatchdogIntervalMs { get; set; } = 5000;

    /// <summary>How long start-up waits for the first captured frames before reporting READY anyway, with the fault in STATUS.</summary>
    [Range(100, 120_000)]
    public int CaptureStartTimeoutMs { get; set; } = 5000;

    /// <summary>Use the GPIO buttons (off on a box without them).</summary>
    public bool Buttons { get; set; }

    /// <summary>Use the SPI LED ring (off on a box without one).</summary>
    public bool LedRing { get; set; }

    /// <summary>Run the MQTT fleet link (with the embedded broker when none is configured).</summary>
    public bool Fleet { get; set; } = true;

    /// <summary>Where the service keeps its state (the fleet's desired configuration, OTA progress).</summary>
    public string StateDirectory { get; set; } = DefaultStateDirectory;

    /// <summary>systemd's <c>$STATE_DIRECTORY</c> when set, else <c>/var/lib/stepaudio-edge</c>.</summary>
    public static string DefaultStateDirectory =>
        Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } state ? state : "/var/lib/stepaudio-edge";
}

/// <summary>The attribute checks of <see cref="HostingOptions"/>, generated.</summary>
[OptionsValidator]
public sealed partial class HostingOptionsValidator : IValidateOptions<HostingOptions>;
