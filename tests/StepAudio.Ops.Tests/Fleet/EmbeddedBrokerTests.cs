using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
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
            BackoffMin = TimeSpan.FromMilliseconds(20),
            BackoffMax = TimeSpan.FromMilliseconds(200),
        };
        await using var harness = LinkHarness.Start(options);
        await harness.WaitForStateAsync(FleetConnectionState.Connected);

        var inbox = harness.Link.Topics.Device + "/replies/local";
        await using var local = await FleetObserver.ConnectAsync(port, "local-console", string.Empty, [harness.Link.Topics.State, inbox]);
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
