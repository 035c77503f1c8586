using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace StepAudio.Ops.Fleet;

/// <summary>
/// Turns <see cref="FleetLinkOptions"/> into MQTTnet client options: MQTT 5, persistent session, the "offline" will,
/// credentials, and TLS pinned to the configured CA with an optional client certificate. Certificate files are read
/// per attempt, so a certificate replaced on disk is picked up by the next reconnect.
/// </summary>
internal sealed class BrokerConnectionSettings
{
    private readonly FleetLinkOptions _options;
    private readonly FleetTopics _topics;
    private volatile string? _certificateProblem;
    private volatile bool _brokerCertificateAccepted;

    public BrokerConnectionSettings(FleetLinkOptions options, FleetTopics topics)
    {
        _options = options;
        _topics = topics;
        Host = options.UsesEmbeddedBroker ? "127.0.0.1" : options.BrokerHost!;
        Port = options.UsesEmbeddedBroker ? options.EmbeddedBrokerPort : options.BrokerPort;
        Username = string.IsNullOrEmpty(options.Username) ? null : options.Username;
        Password = options.Password;
        if (options.UsesEmbeddedBroker && (Username is null || string.IsNullOrEmpty(Password)))
        {
            // The embedded broker always wants credentials: without configured ones, a pair per run that only this
            // process knows, so nothing else on the box can join the device's own broker.
            Username = options.DeviceId;
            Password = EmbeddedBroker.RunPassword;
        }
    }

    /// <summary>The username the link connects with; for the embedded broker, also the one it accepts.</summary>
    public string? Username { get; }

    /// <summary>The password that goes with <see cref="Username"/>.</summary>
    public string? Password { get; }

    public string Host { get; }

    public int Port { get; }

    public string Endpoint => $"{(_options.Tls.Enabled ? "mqtts" : "mqtt")}://{Host}:{Port}";

    /// <summary>Why the last broker certificate was refused, if it was.</summary>
    public string? CertificateProblem => _certificateProblem;

    /// <summary>
    /// True once this attempt's TLS handshake got as far as accepting the broker's certificate: a connection that dies
    /// after that but before CONNACK was refused by the broker at the TLS level, in practice our client certificate.
    /// </summary>
    public bool BrokerCertificateAccepted => _brokerCertificateAccepted;

    /// <summary>Builds the options for one attempt; throws <see cref="FleetLinkConfigurationException"/> for unusable TLS files.</summary>
    public MqttClientOptions Build()
    {
        _certificateProblem = null;
        _brokerCertificateAccepted = false;
        var builder = new MqttClientOptionsBuilder()
            .WithClientId(_options.DeviceId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTcpServer(Host, Port)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)Math.Min(uint.MaxValue, _options.SessionExpiry.TotalSeconds))
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.ConnectTimeout)
            .WithWillTopic(_topics.State)
            .WithWillPayload(FleetLink.OfflinePayload)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);

        if (Username is not null)
        {
            builder.WithCredentials(Username, Password ?? string.Empty);
        }

        if (_options.Tls.Enabled)
        {
            var pinned = LoadCa(_options.Tls.CaFile!);
            var clientCertificate = LoadClientCertificate(_options.Tls);
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls(true)
                    .WithTargetHost(_options.Tls.TargetHost ?? Host)
                    .WithCertificateValidationHandler(args => ValidateBroker(args.Certificate, args.SslPolicyErrors, pinned));
                if (clientCertificate is not null)
                {
                    tls.WithClientCertificates([clientCertificate]);
                }
            });
        }

        return builder.Build();
    }

    private bool ValidateBroker(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection pinned)
    {
        if (presented is null)
        {
            _certificateProblem = "the broker presented no certificate";
            return false;
        }

        if (!PinnedCa.OnlyChainErrors(errors))
        {
            _certificateProblem = $"the broker certificate '{presented.Subject}' does not match the host '{_options.Tls.TargetHost ?? Host}' ({errors})";
            return false;
        }

        if (!PinnedCa.ChainsTo(presented, pinned, out var problem))
        {
            _certificateProblem = $"{problem} (pinned: {_options.Tls.CaFile})";
            return false;
        }

        _brokerCertificateAccepted = true;
        return true;
    }

    private static X509Certificate2Collection LoadCa(string caFile) =>
        PinnedCa.TryLoad(caFile, out var pinned, out var problem)
            ? pinned
            : throw new FleetLinkConfigurationException($"Fleet:Tls:CaFile '{caFile}' {problem}");

    private static X509Certificate2? LoadClientCertificate(FleetTlsOptions tls)
    {
        if (string.IsNullOrWhiteSpace(tls.ClientCertificateFile))
        {
            return null;
        }

        return PinnedCa.TryLoadClientCertificate(tls.ClientCertificateFile, tls.ClientKeyFile, out var certificate, out var problem)
            ? certificate
            : throw new FleetLinkConfigurationException($"Fleet:Tls:ClientCertificateFile '{tls.ClientCertificateFile}' with key '{tls.ClientKeyFile}' {problem}");
    }
}
