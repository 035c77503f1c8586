using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MQTTnet;
using StepAudio.Ops.Fleet;
using StepAudio.TestSupport.Broker;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class EmbeddedBrokerTests
{
    [Fact]
    public async Task RunAsync_WhenNoBrokerConfigured_ThenEmbeddedLoopbackBrokerServesTheLink()
    {
        var port = FreePort();
        var options = new FleetLinkOptions
        {
            Fleet = MosquittoBroker.Fleet,
            DeviceId = "device-a",
            EmbeddedBrokerPort = port,
            Username = "local",
            Password = "local-secret",
            BackoffMin = TimeSpan.FromMilliseconds(20),
            BackoffMax = TimeSpan.FromMilliseconds(200),
        };
        await using var harness = LinkHarness.Start(options);
        await harness.WaitForStateAsync(FleetConnectionState.Connected);

        var inbox = harness.Link.Topics.Device + "/replies/local";
        await using var local = await FleetObserver.ConnectAsync(port, "local", "local-secret", [harness.Link.Topics.State, inbox], clientId: "local-console");
        var state = await local.WaitForAsync(m => m.Topic == harness.Link.Topics.State, what: "retained online on the embedded broker");
        await local.PublishAsync(harness.Link.Topics.Command("ping"), string.Empty, responseTopic: inbox, correlation: Encoding.UTF8.GetBytes("local-1"));
        var reply = await local.WaitForAsync(m => m.Topic == inbox, what: "ping reply");

        Assert.Equal("online", state.Text);
        Assert.Equal("ok", JsonDocument.Parse(reply.Payload).RootElement.GetProperty("status").GetString());
        Assert.Equal($"mqtt://127.0.0.1:{port}", harness.Link.Status.Broker);
    }

    [Fact]
    public async Task RunAsync_WhenEmbeddedPortTaken_ThenClearErrorAndKeepsRunning()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var options = new FleetLinkOptions { Fleet = MosquittoBroker.Fleet, DeviceId = "device-a", EmbeddedBrokerPort = port, BackoffMin = TimeSpan.FromMilliseconds(20), BackoffMax = TimeSpan.FromMilliseconds(100) };
        await using var harness = LinkHarness.Start(options);

        await harness.WaitForStateAsync(FleetConnectionState.Disconnected, count: 2);

        Assert.Contains($"embedded broker could not listen on 127.0.0.1:{port}", harness.Link.LastError, StringComparison.Ordinal);
        Assert.False(harness.Run.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_WhenNoCredentialsConfigured_ThenLinkConnectsWithGeneratedOnesAndAnonymousIsRefused()
    {
        var port = FreePort();
        var options = new FleetLinkOptions
        {
            Fleet = MosquittoBroker.Fleet, DeviceId = "device-a", EmbeddedBrokerPort = port,
            BackoffMin = TimeSpan.FromMilliseconds(20), BackoffMax = TimeSpan.FromMilliseconds(200),
        };
        await using var harness = LinkHarness.Start(options);
        await harness.WaitForStateAsync(FleetConnectionState.Connected);

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync(port, user: null, password: null));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync(port, "device-a", "guess"));
        // diagnose in the same process knows the per-run pair.
        Assert.Null(await FleetLinkProbe.ProbeAsync(options, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Start_WhenCredentialsGiven_ThenOnlyThoseAreAccepted()
    {
        var port = FreePort();
        await using var broker = new EmbeddedBroker(port, "local", "local-secret");
        await broker.StartAsync();

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync(port, user: null, password: null));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync(port, "local", "local-secreT"));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync(port, "other", "local-secret"));
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync(port, "local", "local-secret"));
    }

    private static async Task<MqttClientConnectResultCode> ConnectAsync(int port, string? user, string? password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var builder = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId("probe-" + Guid.NewGuid().ToString("N")[..8]).WithTimeout(TimeSpan.FromSeconds(20));
        if (user is not null)
        {
            builder.WithCredentials(user, password);
        }

        // MQTTnet v5 reports a refusal in the result rather than throwing.
        var result = await client.ConnectAsync(builder.Build());
        return result.ResultCode;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
