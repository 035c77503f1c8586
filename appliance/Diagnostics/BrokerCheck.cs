using System.Diagnostics;
using System.Net.Sockets;

namespace StepAudio.Appliance.Diagnostics;

/// <summary>
/// The fleet's MQTT broker: a TCP connection to the configured host and port, then, with the
/// fleet settings, an MQTT connection with the device's own TLS, pinning and credentials, so a
/// wrong certificate or password is named here, not only in the log. Without a configured host
/// the fleet link runs an embedded broker on loopback and the check passes saying so.
/// </summary>
public sealed class BrokerCheck(string? host, int port, TimeSpan timeout, StepAudio.Ops.Fleet.FleetLinkOptions? fleet = null) : IDiagnosticCheck
{
    /// <summary>Configuration keys of the fleet link (section <c>Fleet</c>).</summary>
    public const string HostKey = "Fleet:BrokerHost";

    public const string PortKey = "Fleet:BrokerPort";

    public const int DefaultPort = 1883;

    public string Name => "broker";

    public DiagnosticArea Area => DiagnosticArea.Broker;

    public async Task<DiagnosticResult> RunAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return DiagnosticResult.Pass(this, "not configured (embedded broker)");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new TcpClient();
        var clock = Stopwatch.StartNew();
        try
        {
            await client.ConnectAsync(host, port, deadline.Token);
            if (fleet is null)
            {
                return DiagnosticResult.Pass(this, $"{host}:{port} accepts connections ({clock.Elapsed.TotalMilliseconds:F1} ms)");
            }

            var problem = await StepAudio.Ops.Fleet.FleetLinkProbe.ProbeAsync(fleet, timeout, cancellationToken);
            return problem is null
                ? DiagnosticResult.Pass(this, $"{host}:{port} accepted the device's MQTT connection as '{fleet.Username ?? fleet.DeviceId}' ({clock.Elapsed.TotalMilliseconds:F1} ms)")
                : DiagnosticResult.Fail(this, problem);
        }
        catch (SocketException ex)
        {
            return DiagnosticResult.Fail(this, $"{host}:{port} is unreachable: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DiagnosticResult.Fail(this, $"{host}:{port} did not accept a connection within {timeout.TotalSeconds:F1} s.");
        }
    }
}
