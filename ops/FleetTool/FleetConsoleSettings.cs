using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using StepAudio.Ops.Fleet;

namespace StepAudio.FleetTool;

/// <summary>Bad operator input to <c>fleet</c>: an unusable broker address, certificate file or argument.</summary>
internal sealed class FleetConsoleException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>How the operator console reaches the broker: the <c>fleet</c> options, checked and turned into MQTTnet options.</summary>
internal sealed record FleetConsoleSettings(
    string Host,
    int Port,
    string Fleet,
    string? Username,
    string? Password,
    string? CaFile,
    string? CertificateFile,
    string? KeyFile)
{
    /// <summary>How long to wait for the broker and for answers.</summary>
    public required TimeSpan Timeout { get; init; }

    public bool UsesTls => CaFile is not null || CertificateFile is not null;

    public string Endpoint => $"{(UsesTls ? "mqtts" : "mqtt")}://{Host}:{Port}";

    /// <summary>Parses <c>host:port</c> (port defaults to 1883, or 8883 with TLS) and checks the rest.</summary>
    public static FleetConsoleSettings Create(
        string broker, string fleet, string? username, string? password, string? ca, string? cert, string? key, TimeSpan timeout)
    {
        var tls = ca is not null || cert is not null;
        var (host, port) = ParseBroker(broker, tls ? 8883 : 1883);
        if (!FleetTopics.IsValidSegment(fleet))
        {
            throw new FleetConsoleException($"--fleet '{fleet}' is not a valid topic segment: use 1-64 of A-Z a-z 0-9 _ . -.");
        }

        if (password is not null && string.IsNullOrEmpty(username))
        {
            throw new FleetConsoleException("--password is set but --username is empty.");
        }

        if ((cert is null) != (key is null))
        {
            throw new FleetConsoleException("--cert and --key go together: set both or neither.");
        }

        if (cert is not null && ca is null)
        {
            throw new FleetConsoleException("--cert needs --ca: the broker's certificate is checked against that CA.");
        }

        if (timeout <= TimeSpan.Zero)
        {
            throw new FleetConsoleException($"--timeout must be positive, got {timeout}.");
        }

        return new FleetConsoleSettings(host, port, fleet, username, password, ca, cert, key) { Timeout = timeout };
    }

    /// <summary>MQTT 5, clean session that ends with the connection, the operator's credentials and TLS pinned to <see cref="CaFile"/>.</summary>
    public MqttClientOptions Build(string clientId)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTcpServer(Host, Port)
            .WithCleanStart(true)
            .WithSessionExpiryInterval(0)
            .WithTimeout(Timeout);
        if (!string.IsNullOrEmpty(Username))
        {
            builder.WithCredentials(Username, Password ?? string.Empty);
        }

        if (UsesTls)
        {
            var pinned = LoadCa(CaFile!);
            var client = CertificateFile is null ? null : LoadClientCertificate(CertificateFile, KeyFile!);
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls(true)
                    .WithTargetHost(Host)
                    .WithCertificateValidationHandler(args => IsIssuedByPinnedCa(args.Certificate, args.SslPolicyErrors, pinned));
                if (client is not null)
                {
                    tls.WithClientCertificates([client]);
                }
            });
        }

        return builder.Build();
    }

    private static (string Host, int Port) ParseBroker(string broker, int defaultPort)
    {
        if (string.IsNullOrWhiteSpace(broker))
        {
            throw new FleetConsoleException("--broker is empty: give host or host:port.");
        }

        var colon = broker.LastIndexOf(':');
        if (colon < 0)
        {
            return (broker, defaultPort);
        }

        var host = broker[..colon];
        if (host.Length == 0 || !int.TryParse(broker.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FleetConsoleException($"--broker '{broker}' is not host:port with a port from 1 to 65535.");
        }

        return (host, port);
    }

    private static bool IsIssuedByPinnedCa(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection pinned) =>
        presented is not null && PinnedCa.OnlyChainErrors(errors) && PinnedCa.ChainsTo(presented, pinned, out _);

    private static X509Certificate2Collection LoadCa(string file) =>
        PinnedCa.TryLoad(file, out var pinned, out var problem) ? pinned : throw new FleetConsoleException($"--ca '{file}' {problem}");

    private static X509Certificate2 LoadClientCertificate(string certificate, string key) =>
        PinnedCa.TryLoadClientCertificate(certificate, key, out var loaded, out var problem)
            ? loaded
            : throw new FleetConsoleException($"--cert '{certificate}' with --key '{key}' {problem}");
}
