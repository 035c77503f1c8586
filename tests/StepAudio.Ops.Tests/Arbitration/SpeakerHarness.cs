using Microsoft.Extensions.Options;
using StepAudio.Ops.Arbitration;
using StepAudio.Ops.Fleet;
using StepAudio.TestSupport.Broker;
using StepAudio.Ops.Tests.Fleet;

namespace StepAudio.Ops.Tests.Arbitration;

/// <summary>One speaker: a running fleet link with a home arbitrator attached before it connects.</summary>
internal sealed class SpeakerHarness : IAsyncDisposable
{
    private SpeakerHarness(LinkHarness link, HomeArbitrator arbitrator)
    {
        Link = link;
        Arbitrator = arbitrator;
    }

    public LinkHarness Link { get; }

    public HomeArbitrator Arbitrator { get; }

    public string Device => Link.Link.Topics.DeviceId;

    /// <summary>Starts the device's link in its fixture home (or <paramref name="home"/>) and waits until it is online.</summary>
    public static async Task<SpeakerHarness> StartAsync(MosquittoBroker broker, string device, int windowMs = 150, string? home = null, TimeProvider? time = null)
    {
        HomeArbitrator? arbitrator = null;
        var options = new HomeArbitrationOptions { Home = home ?? MosquittoBroker.Homes[device], WindowMs = windowMs };
        var link = LinkHarness.Start(
            LinkHarness.OptionsFor(broker.Port, device),
            attach: l => arbitrator = new HomeArbitrator(l, Options.Create(options), time: time));
        await link.WaitForStateAsync(FleetConnectionState.Connected);
        return new SpeakerHarness(link, arbitrator!);
    }

    public WakeClaimMessage Claim(double snrDb, float score, DateTimeOffset heardAt, int turn = 1) =>
        new(Device, turn, "hey_step", score, snrDb, heardAt);

    public ValueTask DisposeAsync() => Link.DisposeAsync();
}
