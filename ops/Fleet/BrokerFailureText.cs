using System.Security.Authentication;
using MQTTnet;

namespace StepAudio.Ops.Fleet;

/// <summary>
/// Words for why the link could not connect, each naming the option to fix; used by the link and by the one-shot
/// probe of <c>diagnose</c>, so both say the same thing about the same fault.
/// </summary>
internal static class BrokerFailureText
{
    /// <summary>Says in one line why a connection attempt failed, naming the option to fix.</summary>
    public static string DescribeConnectFailure(Exception exception, BrokerConnectionSettings broker, FleetLinkOptions options)
    {
        var innermost = exception.GetBaseException();
        if (broker.CertificateProblem is { } certificate)
        {
            return $"TLS: refused to talk to {broker.Endpoint}: {certificate}";
        }

        var clientCertificate = string.IsNullOrEmpty(options.Tls.ClientCertificateFile)
            ? "no client certificate is configured (Fleet:Tls:ClientCertificateFile) and the broker may require one"
            : $"check that the client certificate {options.Tls.ClientCertificateFile} is issued by a CA the broker trusts and has not expired";
        if (options.Tls.Enabled && broker.BrokerCertificateAccepted)
        {
            // Under TLS 1.3 the broker's verdict on our certificate arrives after our side of the handshake is done,
            // so the refusal shows up as a dropped connection before CONNACK.
            return $"TLS: {broker.Endpoint} closed the connection right after the handshake ({innermost.Message}): it refused the client certificate; {clientCertificate}";
        }

        if (options.Tls.Enabled && FindInChain<AuthenticationException>(exception) is not null)
        {
            return $"TLS: the handshake with {broker.Endpoint} failed ({innermost.Message}); {clientCertificate}";
        }

        return $"Cannot reach {broker.Endpoint}: {innermost.Message}";
    }

    /// <summary>Says in one line why the broker refused a CONNECT.</summary>
    public static string Refusal(MqttClientConnectResultCode code, string? reason, BrokerConnectionSettings broker, FleetLinkOptions options)
    {
        var hint = code switch
        {
            MqttClientConnectResultCode.BadUserNameOrPassword when options.UsesEmbeddedBroker && string.IsNullOrEmpty(options.Username) =>
                "the embedded broker accepts only the running device's own per-run credentials; set Fleet:Username / Fleet:Password to share them",
            MqttClientConnectResultCode.BadUserNameOrPassword => $"bad user name or password for user '{broker.Username}' (Fleet:Username / Fleet:Password)",
            // Mosquitto answers a wrong password with "not authorized" under MQTT 5, so name both causes.
            MqttClientConnectResultCode.NotAuthorized =>
                $"not authorized: wrong user name or password for '{options.Username}' (Fleet:Username / Fleet:Password), or the user may not connect",
            MqttClientConnectResultCode.ClientIdentifierNotValid => $"client id '{options.DeviceId}' is not valid for the broker",
            _ => code.ToString(),
        };
        return $"Broker {broker.Endpoint} refused the connection: {hint}{(string.IsNullOrEmpty(reason) ? string.Empty : $" ({reason})")}";
    }

    private static T? FindInChain<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }
}
