using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Ops.Fleet;

/// <summary>How the device reaches its fleet broker. Section "Fleet" of the host configuration.</summary>
public sealed class FleetLinkOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Fleet";

    /// <summary>Topic segments are MQTT-safe identifiers: no '/', '+', '#', spaces or control characters.</summary>
    internal const string SegmentPattern = "^[A-Za-z0-9_.-]{1,64}$";

    /// <summary>Broker host name or address; empty means "no broker configured": an embedded broker on loopback.</summary>
    public string? BrokerHost { get; set; }

    /// <summary>Broker port (1883 plain, 8883 usual for TLS).</summary>
    [Range(1, 65535)]
    public int BrokerPort { get; set; } = 1883;

    /// <summary>Loopback port of the embedded broker started when <see cref="BrokerHost"/> is empty.</summary>
    [Range(1, 65535)]
    public int EmbeddedBrokerPort { get; set; } = 1883;

    /// <summary>Fleet name, the second topic segment.</summary>
    [Required]
    [RegularExpression(SegmentPattern)]
    public string Fleet { get; set; } = "default";

    /// <summary>
    /// Device id: the MQTT client id and the third topic segment. Provisioned, or derived from
    /// <see cref="MachineIdFile"/> when empty (see <see cref="DeviceIdentity"/>); never the host name.
    /// </summary>
    [Required(ErrorMessage = "Fleet:DeviceId is empty and no machine id was found: provision Fleet:DeviceId or give the box an /etc/machine-id.")]
    [RegularExpression(SegmentPattern)]
    public string DeviceId { get; set; } = string.Empty;

    /// <summary>systemd's machine id file, read when <see cref="DeviceId"/> is not provisioned.</summary>
    public string MachineIdFile { get; set; } = DeviceIdentity.DefaultMachineIdFile;

    /// <summary>Fills an empty <see cref="DeviceId"/> from <see cref="MachineIdFile"/>; leaves it empty (so validation names it) when there is no machine id.</summary>
    public void ResolveDeviceId()
    {
        if (string.IsNullOrWhiteSpace(DeviceId) && DeviceIdentity.TryFromMachineId(MachineIdFile, out var derived, out _))
        {
            DeviceId = derived;
        }
    }

    /// <summary>Broker username; for the embedded broker, the one it accepts (unset: a fresh pair per run, known only to this process).</summary>
    public string? Username { get; set; }

    /// <summary>The password that goes with <see cref="Username"/>.</summary>
    public string? Password { get; set; }

    [ValidateObjectMembers]
    public FleetTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Allows a remote broker (anything but loopback) without TLS. Off by default: credentials and config would cross
    /// the network in clear; when on, the link logs a warning at start.
    /// </summary>
    public bool AllowPlaintext { get; set; }

    /// <summary>True when the link would talk to a non-loopback broker without TLS.</summary>
    public bool IsRemotePlaintext => !UsesEmbeddedBroker && !Tls.Enabled && !IsLoopback(BrokerHost!);

    /// <summary>How long the broker keeps the session (subscriptions, queued QoS 1 messages) after a disconnect.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "49710.00:00:00")]
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(1);

    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for the TCP/TLS/MQTT handshake of one attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; doubles per failed attempt up to <see cref="BackoffMax"/>, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan BackoffMin { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>QoS 1 messages kept while offline; when full the oldest is dropped and counted.</summary>
    [Range(1, 1_000_000)]
    public int OutboxCapacity { get; set; } = 2000;

    /// <summary>Aggregation window of telemetry: one message per stream per interval at most.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan TelemetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Cap on telemetry messages per interval over all streams; the rest are dropped and counted.</summary>
    [Range(1, 10_000)]
    public int TelemetryMaxMessagesPerInterval { get; set; } = 32;

    /// <summary>Time a command handler may take before the caller gets a "timeout" reply.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest accepted config/desired document or command payload, in bytes.</summary>
    [Range(16, 16 * 1024 * 1024)]
    public int MaxInboundPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>True when no broker is configured and the link runs the embedded loopback broker.</summary>
    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(BrokerHost);

    /// <summary>Loopback is 127.0.0.0/8, ::1 and <c>localhost</c>: traffic that never leaves the box.</summary>
    internal static bool IsLoopback(string host)
    {
        var bare = host.Trim().TrimStart('[').TrimEnd(']');
        return bare.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (System.Net.IPAddress.TryParse(bare, out var address) && System.Net.IPAddress.IsLoopback(address));
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BackoffMin > BackoffMax)
        {
            yield return new ValidationResult(
                $"BackoffMin ({BackoffMin}) must not exceed BackoffMax ({BackoffMax}).",
                [nameof(BackoffMin), nameof(BackoffMax)]);
        }

        if (Password is not null && string.IsNullOrEmpty(Username))
        {
            yield return new ValidationResult("Password is set but Username is empty.", [nameof(Username)]);
        }

        if (IsRemotePlaintext && !AllowPlaintext)
        {
            yield return new ValidationResult(
                $"Fleet:BrokerHost '{BrokerHost}' is not loopback and Fleet:Tls:Enabled is false: the link would send credentials and config in clear. " +
                "Enable Fleet:Tls, or set Fleet:AllowPlaintext=true to accept a plaintext broker (logged as a warning).",
                [nameof(BrokerHost), nameof(AllowPlaintext)]);
        }

        if (Tls.Enabled && UsesEmbeddedBroker)
        {
            yield return new ValidationResult(
                "Tls.Enabled needs a BrokerHost: the embedded broker listens on loopback without TLS.",
                [nameof(BrokerHost)]);
        }
    }
}

/// <summary>TLS towards the broker: the broker's certificate must chain to the pinned CA; optional client certificate.</summary>
public sealed class FleetTlsOptions : IValidatableObject
{
    public bool Enabled { get; set; }

    /// <summary>PEM file with the CA certificate(s) the broker's certificate must chain to (the pin).</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate presented to the broker.</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>Name the broker's certificate must carry; defaults to the broker host.</summary>
    public string? TargetHost { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(CaFile))
        {
            yield return new ValidationResult("Tls.CaFile is required when TLS is enabled: the broker is pinned to that CA.", [nameof(CaFile)]);
        }

        if (string.IsNullOrWhiteSpace(ClientCertificateFile) != string.IsNullOrWhiteSpace(ClientKeyFile))
        {
            yield return new ValidationResult(
                "Tls.ClientCertificateFile and Tls.ClientKeyFile go together: set both or neither.",
                [nameof(ClientCertificateFile), nameof(ClientKeyFile)]);
        }
    }
}

/// <summary>Source-generated validator for <see cref="FleetLinkOptions"/> (DataAnnotations plus the cross-field rules).</summary>
[OptionsValidator]
public sealed partial class FleetLinkOptionsValidator : IValidateOptions<FleetLinkOptions>;
