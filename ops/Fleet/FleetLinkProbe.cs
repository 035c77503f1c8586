using MQTTnet;

namespace StepAudio.Ops.Fleet;

/// <summary>
/// One connection attempt with the device's own broker settings (address, TLS and pinning,
/// credentials), for diagnose: it says exactly what the fleet link would run into. It connects
/// under its own client id, so the running service's session is left alone.
/// </summary>
public static class FleetLinkProbe
{
    /// <summary>Null when the broker accepted the connection; otherwise the reason, naming the setting to fix.</summary>
    public static async Task<string?> ProbeAsync(FleetLinkOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var broker = new BrokerConnectionSettings(options, new FleetTopics(options.Fleet, options.DeviceId));
        var clientOptions = broker.Build();
        clientOptions.ClientId = $"{options.DeviceId}-diagnose-{Guid.NewGuid():N}"[..Math.Min(64, options.DeviceId.Length + 18)];
        clientOptions.WillTopic = null;
        clientOptions.CleanSession = true;
        using var client = new MqttClientFactory().CreateMqttClient();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var result = await client.ConnectAsync(clientOptions, deadline.Token).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                return BrokerFailureText.Refusal(result.ResultCode, result.ReasonString, broker, options);
            }

            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"No answer from {broker.Endpoint} within {timeout.TotalSeconds:0.#} s.";
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return BrokerFailureText.DescribeConnectFailure(ex, broker, options);
        }
    }
}
