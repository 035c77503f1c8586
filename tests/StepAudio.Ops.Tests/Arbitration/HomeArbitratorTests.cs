using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Arbitration;
using StepAudio.Ops.Fleet;
using StepAudio.TestSupport.Broker;
using StepAudio.Ops.Tests.Fakes;
using StepAudio.Ops.Tests.Fleet;
using Xunit.Abstractions;

namespace StepAudio.Ops.Tests.Arbitration;

/// <summary>Wake arbitration between speakers of one home, through a real Mosquitto with the fleet's ACL.</summary>
public sealed class HomeArbitratorTests(ITestOutputHelper output)
{
    /// <summary>Generous bound for "decided in one window, no second round": the window plus scheduling on a loaded machine.</summary>
    private static readonly TimeSpan DecisionMargin = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task ClaimAsync_WhenThreeSpeakersOfOneHomeHearTheSameWake_ThenOnlyTheBestAnswersAndTheOthersSayTheyYielded()
    {
        using var broker = new MosquittoBroker();
        // A wider window than the 150 ms default: the suite runs its broker tests in parallel on a couple of shared
        // cores, where a claim can sit in a run queue longer than a home network would hold it.
        const int windowMs = 500;
        await using var a = await SpeakerHarness.StartAsync(broker, "device-a", windowMs);
        await using var b = await SpeakerHarness.StartAsync(broker, "device-b", windowMs);
        await using var c = await SpeakerHarness.StartAsync(broker, "device-c", windowMs);
        await using var fleet = await FleetObserver.ConnectAsync(
            broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, ["stepaudio/testfleet/+/events"]);
        var heardAt = DateTimeOffset.UtcNow;

        // The same wake word at three levels: b is nearest (highest SNR) although its detector scored it lowest.
        var claims = new[] { (a, a.Claim(12.5, 0.97f, heardAt)), (b, b.Claim(21.0, 0.81f, heardAt.AddMilliseconds(40))), (c, c.Claim(6.0, 0.99f, heardAt.AddMilliseconds(-30))) };
        var decisions = await Task.WhenAll(claims.Select(async pair =>
        {
            var clock = Stopwatch.StartNew();
            var answers = await pair.Item1.Arbitrator.ClaimAsync(pair.Item2, CancellationToken.None);
            return (pair.Item1.Device, Answers: answers, Elapsed: clock.Elapsed);
        }));

        foreach (var decision in decisions)
        {
            output.WriteLine($"{decision.Device}: {(decision.Answers ? "answers" : "yields")} after {decision.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(decision.Elapsed < TimeSpan.FromMilliseconds(windowMs) + DecisionMargin, $"{decision.Device} took {decision.Elapsed.TotalMilliseconds:0} ms");
        }

        Assert.Equal(["device-b"], decisions.Where(d => d.Answers).Select(d => d.Device));
        var yielded = await fleet.WaitForCountAsync(m => m.Text.Contains("\"wake-yielded\"", StringComparison.Ordinal), 2, what: "wake-yielded events");
        Assert.Equal(["device-a", "device-c"], yielded.Select(m => m.Topic.Split('/')[2]).Order(StringComparer.Ordinal));
        // A speaker yields to the first better claim it hears, which need not be the overall winner.
        Assert.All(yielded, m =>
        {
            var data = JsonDocument.Parse(m.Payload).RootElement.GetProperty("data");
            Assert.True(data.GetProperty("winner").GetProperty("snrDb").GetDouble() > data.GetProperty("snrDb").GetDouble());
            Assert.NotEqual(m.Topic.Split('/')[2], data.GetProperty("winner").GetProperty("device").GetString());
        });
    }

    [Fact]
    public async Task ClaimAsync_WhenASpeakerOfAnotherHomeHearsItBetter_ThenBothAnswer()
    {
        using var broker = new MosquittoBroker();
        await using var a = await SpeakerHarness.StartAsync(broker, "device-a");
        await using var d = await SpeakerHarness.StartAsync(broker, "device-d");
        var heardAt = DateTimeOffset.UtcNow;

        var decisions = await Task.WhenAll(
            a.Arbitrator.ClaimAsync(a.Claim(5.0, 0.8f, heardAt), CancellationToken.None),
            d.Arbitrator.ClaimAsync(d.Claim(30.0, 0.99f, heardAt), CancellationToken.None));

        Assert.Equal([true, true], decisions);
    }

    [Fact]
    public async Task ClaimAsync_WhenAloneInTheHome_ThenAnswersOnlyOnceTheWindowHasPassed()
    {
        using var broker = new MosquittoBroker();
        var window = new GatedTimeProvider();
        await using var a = await SpeakerHarness.StartAsync(broker, "device-a", time: window);
        await using var peer = await FleetObserver.ConnectAsync(
            broker.Port, "device-b", MosquittoBroker.PasswordOf("device-b"), [a.Arbitrator.Topic!], clientId: "device-b");

        var decided = a.Arbitrator.ClaimAsync(a.Claim(10.0, 0.9f, DateTimeOffset.UtcNow), CancellationToken.None);
        var claim = await peer.WaitForAsync(m => m.Topic == a.Arbitrator.Topic, what: "device-a's claim");

        // Alone is only known once the window has passed: published, and still undecided while it stays open.
        Assert.Contains("\"device\":\"device-a\"", claim.Text, StringComparison.Ordinal);
        Assert.False(decided.IsCompleted);
        window.Release();
        Assert.True(await decided.WaitAsync(LinkHarness.Timeout));
    }

    [Fact]
    public async Task ClaimAsync_WhenABetterClaimOfTheSameWakeArrivedJustBefore_ThenYieldsWithoutWaiting()
    {
        using var broker = new MosquittoBroker();
        await using var a = await SpeakerHarness.StartAsync(broker, "device-a", windowMs: 2000);
        await using var b = await FleetObserver.ConnectAsync(broker.Port, "device-b", MosquittoBroker.PasswordOf("device-b"), [], clientId: "device-b");
        var heard = NextClaimHeard(a.Arbitrator);
        var heardAt = DateTimeOffset.UtcNow;
        var early = new WakeClaimMessage("device-b", 7, "hey_step", 0.9f, 25.0, heardAt.AddMilliseconds(-300));
        await b.PublishAsync(a.Arbitrator.Topic!, early.ToJson());
        Assert.Equal(("device-b", 7), ((await heard).Device, (await heard).Turn));

        var decided = a.Arbitrator.ClaimAsync(a.Claim(10.0, 0.9f, heardAt), CancellationToken.None);

        // Decided on what it already knew: well before the two-second window could have run out.
        Assert.False(await decided.WaitAsync(TimeSpan.FromMilliseconds(1900)));
    }

    [Fact]
    public async Task ClaimAsync_WhenTheOnlyOtherClaimIsOfAnEarlierWake_ThenAnswers()
    {
        using var broker = new MosquittoBroker();
        await using var a = await SpeakerHarness.StartAsync(broker, "device-a");
        await using var b = await FleetObserver.ConnectAsync(broker.Port, "device-b", MosquittoBroker.PasswordOf("device-b"), [], clientId: "device-b");
        var heard = NextClaimHeard(a.Arbitrator);
        var heardAt = DateTimeOffset.UtcNow;
        await b.PublishAsync(a.Arbitrator.Topic!, new WakeClaimMessage("device-b", 3, "hey_step", 1f, 40.0, heardAt.AddSeconds(-2)).ToJson());
        await heard;

        Assert.True(await a.Arbitrator.ClaimAsync(a.Claim(3.0, 0.6f, heardAt), CancellationToken.None));
    }

    [Fact]
    public async Task ClaimAsync_WhenNoBrokerIsReachable_ThenAnswersAtOnce()
    {
        var options = LinkHarness.OptionsFor(port: 1, device: "device-a");
        var frozen = new FrozenTimeProvider(DateTimeOffset.UtcNow);
        HomeArbitrator? arbitrator = null;
        await using var link = LinkHarness.Start(options, attach: l => arbitrator = new HomeArbitrator(
            l, Options.Create(new HomeArbitrationOptions { Home = "home-1" }), time: frozen));

        // The window's timer never fires under a frozen clock: completing at all proves it did not wait.
        var answers = await arbitrator!.ClaimAsync(new WakeClaimMessage("device-a", 1, "hey_step", 0.9f, 10.0, frozen.GetUtcNow()), CancellationToken.None)
            .WaitAsync(LinkHarness.Timeout);

        Assert.True(answers);
        Assert.NotEqual(FleetConnectionState.Connected, link.Link.State);
    }

    [Fact]
    public async Task ClaimAsync_WhenNoHomeIsConfigured_ThenAnswersAtOnceWithoutPublishing()
    {
        using var broker = new MosquittoBroker();
        var frozen = new FrozenTimeProvider(DateTimeOffset.UtcNow);
        HomeArbitrator? arbitrator = null;
        await using var link = LinkHarness.Start(LinkHarness.OptionsFor(broker.Port), attach: l => arbitrator = new HomeArbitrator(
            l, Options.Create(new HomeArbitrationOptions()), time: frozen));
        await link.WaitForStateAsync(FleetConnectionState.Connected);

        var answers = await arbitrator!.ClaimAsync(new WakeClaimMessage("device-a", 1, "hey_step", 0.9f, 10.0, frozen.GetUtcNow()), CancellationToken.None)
            .WaitAsync(LinkHarness.Timeout);

        Assert.True(answers);
        Assert.Null(arbitrator.Topic);
    }

    [Fact]
    public async Task ClaimAsync_WhenTheClaimNamesAnotherDevice_ThenThrowsNamingBoth()
    {
        await using var link = LinkHarness.Start(LinkHarness.OptionsFor(port: 1, device: "device-a"));
        var arbitrator = new HomeArbitrator(link.Link, Options.Create(new HomeArbitrationOptions { Home = "home-1" }));

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            arbitrator.ClaimAsync(new WakeClaimMessage("device-b", 1, "hey_step", 0.9f, 10.0, DateTimeOffset.UtcNow), CancellationToken.None));

        Assert.Contains("device-b", error.Message, StringComparison.Ordinal);
        Assert.Contains("device-a", error.Message, StringComparison.Ordinal);
    }

    private static Task<WakeClaimMessage> NextClaimHeard(HomeArbitrator arbitrator)
    {
        var heard = new TaskCompletionSource<WakeClaimMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        arbitrator.ClaimHeard += (_, claim) => heard.TrySetResult(claim);
        return heard.Task.WaitAsync(LinkHarness.Timeout);
    }
}
