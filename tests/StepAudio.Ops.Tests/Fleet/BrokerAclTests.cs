using MQTTnet;
using MQTTnet.Protocol;
using StepAudio.TestSupport.Broker;

namespace StepAudio.Ops.Tests.Fleet;

/// <summary>The broker's ACL as the fixture configures it for the fleet: a device only touches its own subtree.</summary>
public sealed class BrokerAclTests
{
    private const string Own = "stepaudio/testfleet/device-a";
    private const string Other = "stepaudio/testfleet/device-b";

    [Fact]
    public async Task Publish_WhenDeviceWritesAnotherDevicesTopic_ThenNothingArrives()
    {
        using var broker = new MosquittoBroker();
        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, ["stepaudio/#"]);
        await using var deviceA = await FleetObserver.ConnectAsync(broker.Port, "device-a", MosquittoBroker.PasswordOf("device-a"), [], clientId: "device-a");

        await deviceA.PublishAsync(Other + "/config/reported", "{\"forged\":true}", retain: true);
        await deviceA.PublishAsync(Other + "/cmd/restart", "{}");
        await deviceA.PublishAsync(Own + "/events", "marker");

        // Same publisher, same subscriber: anything the broker let through would have arrived before the marker.
        await fleet.WaitForAsync(m => m.Text == "marker", what: "marker on the device's own topic");
        Assert.DoesNotContain(fleet.Received, m => m.Topic.StartsWith(Other, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Subscribe_WhenDeviceSubscribesToAnotherDevicesTopics_ThenNothingDelivered()
    {
        using var broker = new MosquittoBroker();
        await using var deviceA = await FleetObserver.ConnectAsync(broker.Port, "device-a", MosquittoBroker.PasswordOf("device-a"), [], clientId: "device-a");
        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, []);

        using var timeout = new CancellationTokenSource(FleetObserver.DefaultTimeout);
        // Mosquitto 2.0 grants the SUBACK and enforces the ACL at delivery, so what counts is what arrives.
        await deviceA.Client.SubscribeAsync(Other + "/#", MqttQualityOfServiceLevel.AtLeastOnce, timeout.Token);
        await deviceA.Client.SubscribeAsync("stepaudio/#", MqttQualityOfServiceLevel.AtLeastOnce, timeout.Token);
        var own = await deviceA.Client.SubscribeAsync(Own + "/#", MqttQualityOfServiceLevel.AtLeastOnce, timeout.Token);

        await fleet.PublishAsync(Other + "/cmd/ping", "secret for device-b");
        await fleet.PublishAsync(Own + "/cmd/ping", "marker");

        await deviceA.WaitForAsync(m => m.Text == "marker", what: "marker on the device's own topic");
        Assert.DoesNotContain(deviceA.Received, m => m.Topic.StartsWith(Other, StringComparison.Ordinal));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, own.Items.Single().ResultCode);
    }

    [Fact]
    public async Task Publish_WhenDeviceWritesAnotherHomesArbitrationTopic_ThenNothingArrivesButItsOwnHomeWorks()
    {
        using var broker = new MosquittoBroker();
        var ownHome = MosquittoBroker.ArbitrationTopic(MosquittoBroker.Homes["device-a"]);
        var otherHome = MosquittoBroker.ArbitrationTopic(MosquittoBroker.Homes["device-d"]);
        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, ["stepaudio/#"]);
        await using var deviceD = await FleetObserver.ConnectAsync(broker.Port, "device-d", MosquittoBroker.PasswordOf("device-d"), [otherHome], clientId: "device-d");
        await using var deviceA = await FleetObserver.ConnectAsync(broker.Port, "device-a", MosquittoBroker.PasswordOf("device-a"), [], clientId: "device-a");

        await deviceA.PublishAsync(otherHome, "{\"forged\":true}");
        await deviceA.PublishAsync(ownHome, "own-home");
        await deviceA.PublishAsync(Own + "/events", "marker");

        await fleet.WaitForAsync(m => m.Text == "marker", what: "marker on the device's own topic");
        Assert.Contains(fleet.Received, m => m.Topic == ownHome && m.Text == "own-home");
        Assert.DoesNotContain(fleet.Received, m => m.Topic == otherHome);
        Assert.Empty(deviceD.Received);
    }

    [Fact]
    public async Task Subscribe_WhenDeviceSubscribesToAnotherHomesArbitrationTopic_ThenNothingDelivered()
    {
        using var broker = new MosquittoBroker();
        var ownHome = MosquittoBroker.ArbitrationTopic(MosquittoBroker.Homes["device-a"]);
        var otherHome = MosquittoBroker.ArbitrationTopic(MosquittoBroker.Homes["device-d"]);
        await using var deviceA = await FleetObserver.ConnectAsync(
            broker.Port, "device-a", MosquittoBroker.PasswordOf("device-a"), [otherHome, "stepaudio/testfleet/homes/#", ownHome], clientId: "device-a");
        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, []);

        await fleet.PublishAsync(otherHome, "claim of another home");
        await fleet.PublishAsync(ownHome, "marker");

        await deviceA.WaitForAsync(m => m.Text == "marker", what: "marker on the device's own home");
        Assert.DoesNotContain(deviceA.Received, m => m.Topic == otherHome);
    }
}
