using System.Security.Authentication;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace StepAudio.Ops.Fleet;

/// <summary>One connection: everything here lives and dies with the connection's CancellationTokenSource.</summary>
public sealed partial class FleetLink
{
    private const int InboundQueueLength = 256;

    /// <summary>Runs one connection to its end; true when it got as far as online (so the backoff starts over).</summary>
    private async Task<bool> RunConnectionAsync(CancellationToken stoppingToken)
    {
        SetState(FleetConnectionState.Connecting);
        using var client = _clientFactory.CreateMqttClient();
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var lost = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbound = Channel.CreateBounded<InboundMessage>(new BoundedChannelOptions(InboundQueueLength)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        // Handlers only signal or hand over: reconnecting is the supervisor's job, and the receive loop must not wait
        // on work that itself needs the receive loop (a QoS 1 publish waiting for its PUBACK would deadlock it).
        client.DisconnectedAsync += e =>
        {
            lost.TrySetResult(e);
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e => TryDeliverDirect(e) ? Task.CompletedTask : HandOverAsync(e, inbound.Writer, connection.Token);

        if (!await TryConnectAsync(client, connection.Token).ConfigureAwait(false))
        {
            _liveClient = null;
            return false;
        }

        var sender = SendOutboxAsync(client, connection.Token);
        var receiver = ProcessInboundAsync(inbound.Reader, connection.Token);
        var telemetry = PublishTelemetryAsync(client, connection.Token);
        SetState(FleetConnectionState.Connected);
        Interlocked.Increment(ref _connects);
        Log.Connected(_logger, _broker.Endpoint, Topics.Device);

        var reason = await SuperviseAsync(client, lost.Task, sender, receiver, stoppingToken).ConfigureAwait(false);
        _liveClient = null;
        await connection.CancelAsync().ConfigureAwait(false);
        inbound.Writer.TryComplete();
        await Task.WhenAll(sender, receiver, telemetry).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);

        if (stoppingToken.IsCancellationRequested)
        {
            await GoOfflineAsync(client).ConfigureAwait(false);
            Log.Stopped(_logger, _broker.Endpoint);
        }
        else
        {
            RecordError($"Connection to {_broker.Endpoint} lost: {reason}");
            Log.ConnectionLost(_logger, _broker.Endpoint, reason);
        }

        return true;
    }

    private async Task<bool> TryConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.ConnectAsync(_broker.Build(), cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                ReportConnectFailure(Refusal(result.ResultCode, result.ReasonString), null);
                return false;
            }

            // Live before the subscriptions are listed: a direct subscription added meanwhile is subscribed either way.
            _liveClient = client;
            await SubscribeAsync(client, cancellationToken).ConfigureAwait(false);
            await client.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(Topics.State)
                    .WithPayload(OnlinePayload)
                    .WithRetainFlag(true)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (FleetLinkConfigurationException ex)
        {
            ReportConnectFailure(ex.Message, ex);
            return false;
        }
        catch (MqttConnectingFailedException ex)
        {
            ReportConnectFailure(DescribeConnectFailure(ex), ex);
            return false;
        }
        catch (MqttCommunicationException ex)
        {
            ReportConnectFailure(DescribeConnectFailure(ex), ex);
            return false;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or System.Net.Sockets.SocketException)
        {
            ReportConnectFailure(DescribeConnectFailure(ex), ex);
            return false;
        }
    }

    private async Task SubscribeAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.ConfigDesired, MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.CommandFilter, MqttQualityOfServiceLevel.AtLeastOnce);
        AddDirectFilters(subscribe);
        CheckSubscription(await client.SubscribeAsync(subscribe.Build(), cancellationToken).ConfigureAwait(false));
    }

    private void CheckSubscription(MqttClientSubscribeResult result)
    {
        foreach (var item in result.Items)
        {
            if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
            {
                // Keep going: the rest of the link is still useful, and the error says which topic the broker refused.
                RecordError($"Broker refused the subscription to {item.TopicFilter.Topic}: {item.ResultCode}");
                Log.SubscriptionRefused(_logger, item.TopicFilter.Topic, item.ResultCode.ToString());
            }
        }
    }

    /// <summary>Waits until the connection ends: the client reports it lost, a ping fails, or a loop gave up.</summary>
    private async Task<string> SuperviseAsync(IMqttClient client, Task<MqttClientDisconnectedEventArgs> lost, Task sender, Task receiver, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var tick = Task.Delay(_options.KeepAlive, _time, stoppingToken);
            var first = await Task.WhenAny(lost, sender, receiver, tick).ConfigureAwait(false);
            if (first == lost)
            {
                var e = await lost.ConfigureAwait(false);
                return e.Exception is { } ex ? $"{e.Reason}: {ex.Message}" : e.ReasonString ?? e.Reason.ToString();
            }

            if (first == sender || first == receiver)
            {
                return first.Exception?.GetBaseException().Message ?? "the connection stopped accepting publishes";
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            if (!await client.TryPingAsync(stoppingToken).ConfigureAwait(false))
            {
                return $"no ping response within {_options.ConnectTimeout.TotalSeconds:0.#} s";
            }
        }

        return "stopping";
    }

    private async Task GoOfflineAsync(IMqttClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        // A clean disconnect suppresses the will, so say "offline" ourselves first.
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
        try
        {
            await client.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(Topics.State).WithPayload(OfflinePayload).WithRetainFlag(true)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                timeout.Token).ConfigureAwait(false);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException)
        {
            Log.OfflineNotPublished(_logger, ex.Message);
        }
    }

    private void ReportConnectFailure(string problem, Exception? exception)
    {
        RecordError(problem);
        Log.ConnectFailed(_logger, _broker.Endpoint, problem, exception);
    }

    private string DescribeConnectFailure(Exception exception) => DescribeConnectFailure(exception, _broker, _options);

    private string Refusal(MqttClientConnectResultCode code, string? reason) => Refusal(code, reason, _broker, _options);

    /// <summary>Says in one line why a connection attempt failed, naming the option to fix.</summary>
    internal static string DescribeConnectFailure(Exception exception, BrokerConnectionSettings broker, FleetLinkOptions options)
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
    internal static string Refusal(MqttClientConnectResultCode code, string? reason, BrokerConnectionSettings broker, FleetLinkOptions options)
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
