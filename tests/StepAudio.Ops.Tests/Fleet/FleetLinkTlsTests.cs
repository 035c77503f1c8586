using StepAudio.Ops.Fleet;
using StepAudio.TestSupport.Broker;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class FleetLinkTlsTests
{
    private static FleetLinkOptions TlsOptions(MosquittoBroker broker, string clientCertificate, string? caFile = null)
    {
        var certificates = TestCertificates.Instance;
        var options = LinkHarness.OptionsFor(broker.TlsPort);
        options.Tls = new FleetTlsOptions
        {
            Enabled = true,
            CaFile = caFile ?? certificates.CaFile,
            ClientCertificateFile = certificates.Crt(clientCertificate),
            ClientKeyFile = certificates.Key(clientCertificate),
        };
        return options;
    }

    [Fact]
    public async Task RunAsync_WhenClientCertificateFromFleetCa_ThenConnectsOverTls()
    {
        using var broker = new MosquittoBroker();
        await using var harness = LinkHarness.Start(TlsOptions(broker, "device-a"));

        await harness.WaitForStateAsync(FleetConnectionState.Connected);

        await using var fleet = await FleetObserver.ConnectAsync(broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [harness.Link.Topics.State]);
        Assert.Equal("online", (await fleet.WaitForAsync(m => m.Topic == harness.Link.Topics.State)).Text);
        Assert.StartsWith("mqtts://", harness.Link.Status.Broker, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WhenClientCertificateFromRogueCa_ThenRefusedWithClearTlsErrorAndStaysOffline()
    {
        using var broker = new MosquittoBroker();
        await using var harness = LinkHarness.Start(TlsOptions(broker, "rogue-device-a"));

        await harness.WaitForStateAsync(FleetConnectionState.Disconnected, count: 2);

        var error = harness.Link.LastError;
        Assert.NotNull(error);
        Assert.StartsWith("TLS:", error, StringComparison.Ordinal);
        Assert.Contains("refused the client certificate", error, StringComparison.Ordinal);
        Assert.Contains(harness.Logs.Records, r => r.EventId.Id == 2001 && r.Message.Contains("TLS:", StringComparison.Ordinal));
        Assert.DoesNotContain(FleetConnectionState.Connected, harness.Transitions);
        Assert.False(harness.Run.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_WhenBrokerNotIssuedByPinnedCa_ThenRefusesBrokerWithClearError()
    {
        using var broker = new MosquittoBroker();
        await using var harness = LinkHarness.Start(TlsOptions(broker, "device-a", caFile: TestCertificates.Instance.RogueCaFile));

        await harness.WaitForStateAsync(FleetConnectionState.Disconnected, count: 2);

        Assert.Contains("not issued by the pinned CA", harness.Link.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(FleetConnectionState.Connected, harness.Transitions);
    }

    [Fact]
    public async Task RunAsync_WhenCaFileMissing_ThenNamesTheSettingAndKeepsRunning()
    {
        using var broker = new MosquittoBroker();
        var options = TlsOptions(broker, "device-a", caFile: "/nonexistent/fleet-ca.pem");
        await using var harness = LinkHarness.Start(options);

        await harness.WaitForStateAsync(FleetConnectionState.Disconnected, count: 2);

        Assert.Contains("Fleet:Tls:CaFile '/nonexistent/fleet-ca.pem'", harness.Link.LastError, StringComparison.Ordinal);
        Assert.False(harness.Run.IsCompleted);
    }
}
