using System.Diagnostics;
using System.Net.Sockets;

namespace StepAudio.Appliance.Diagnostics;

/// <summary>
/// The fleet's MQTT broker: a TCP connection to the configured host and port. Without a
/// configured host the fleet link runs an embedded broker on loopback, so there is nothing
/// remote to reach and the check passes saying so.
/// </summary>
public sealed class BrokerCheck(string? host, int port, TimeSpan timeout) : IDiagnosticCheck
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
            return DiagnosticResult.Pass(this, $"{host}:{port} accepts connections ({clock.Elapsed.TotalMilliseconds:F1} ms)");
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
