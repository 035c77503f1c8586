using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Ota;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Config;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Ota;
using StepAudio.TestSupport.Broker;

namespace StepAudio.Appliance.Tests.Ota;

/// <summary>The OTA channel over a real fleet link to a real Mosquitto, seen from a fleet-side client.</summary>
public sealed class FleetOtaChannelTests : IAsyncLifetime
{
    private const string Device = "device-a";
    private static readonly string Base = $"stepaudio/{MosquittoBroker.Fleet}/{Device}";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-ota-channel-{Guid.NewGuid():N}");
    private CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
    private MosquittoBroker _broker = null!;
    private FleetLink _link = null!;
    private FleetOtaChannel _channel = null!;
    private FleetObserver _fleet = null!;
    private Task _linkRun = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _broker = new MosquittoBroker();
        var options = new FleetLinkOptions
        {
            BrokerHost = "127.0.0.1",
            BrokerPort = _broker.Port,
            Fleet = MosquittoBroker.Fleet,
            DeviceId = Device,
            Username = Device,
            Password = MosquittoBroker.PasswordOf(Device),
            BackoffMin = TimeSpan.FromMilliseconds(50),
            BackoffMax = TimeSpan.FromMilliseconds(200),
        };
        var processor = new DesiredConfigProcessor(new DesiredConfigSource(new DesiredConfigStore(_dir)), [], options.MaxInboundPayloadBytes, NullLogger<DesiredConfigProcessor>.Instance);
        _link = new FleetLink(Options.Create(options), processor, new CommandDispatcher([], options.CommandTimeout, options.MaxInboundPayloadBytes));
        _channel = new FleetOtaChannel(_link, TimeProvider.System, NullLogger<FleetOtaChannel>.Instance);
        _fleet = await FleetObserver.ConnectAsync(_broker.Port, MosquittoBroker.FleetUser, MosquittoBroker.FleetPassword, [$"{Base}/#"]);
        _linkRun = Task.Run(() => _link.RunAsync(_stop.Token));
        await _fleet.WaitForAsync(m => m.Topic == $"{Base}/state" && m.Text == "online", what: "the device online");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _linkRun;
        _channel.Dispose();
        _link.Dispose();
        await _fleet.DisposeAsync();
        _broker.Dispose();
        _stop.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task ReadJobs_WhenTheFleetPublishesAJob_DeliversItAndStatusAndOutcomeReachTheFleet()
    {
        var job = new OtaJob("job-42", "1.1.0", new Uri("http://127.0.0.1:9/b.raucb"), 1234, new string('a', 64), "stepaudio-edge", DateTimeOffset.UtcNow.AddHours(1));
        await using var jobs = _channel.ReadJobsAsync(_stop.Token).GetAsyncEnumerator(_stop.Token);
        var next = jobs.MoveNextAsync().AsTask();

        await _fleet.PublishAsync($"{Base}/ota/job", OtaJobJson.Serialize(job));

        Assert.True(await next.WaitAsync(_stop.Token));
        Assert.Equal(job, jobs.Current);

        await _channel.PublishStatusAsync(new OtaStatus("job-42", "1.1.0", OtaState.Downloading, OtaReason.None, "downloading", 617, 1234, DateTimeOffset.UtcNow), _stop.Token);
        await _channel.PublishOutcomeAsync(new OtaOutcomeEvent("job-42", "1.1.0", OtaState.Committed, OtaReason.None, "1.1.0 committed", "rootfs.1", DateTimeOffset.UtcNow), _stop.Token);

        var status = await _fleet.WaitForAsync(m => m.Topic == $"{Base}/ota/status", what: "the status");
        using (var document = JsonDocument.Parse(status.Payload))
        {
            var root = document.RootElement;
            Assert.Equal("job-42", root.GetProperty("jobId").GetString());
            Assert.Equal("Downloading", root.GetProperty("state").GetString());
            Assert.Equal(50, root.GetProperty("percent").GetInt32());
            Assert.False(root.GetProperty("final").GetBoolean());
        }

        var outcome = await _fleet.WaitForAsync(m => m.Topic == $"{Base}/events" && m.Text.Contains(FleetOtaChannel.OutcomeEventType, StringComparison.Ordinal), what: "the outcome event");
        using (var document = JsonDocument.Parse(outcome.Payload))
        {
            var data = document.RootElement.GetProperty("data");
            Assert.Equal("Committed", data.GetProperty("outcome").GetString());
            Assert.Equal("rootfs.1", data.GetProperty("runningSlot").GetString());
        }
    }

    [Fact]
    public async Task ReadJobs_WhenTheJobWasSentWhileTheDeviceWasOffline_DeliversItAfterTheReconnect()
    {
        using var reading = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var jobs = _channel.ReadJobsAsync(reading.Token).GetAsyncEnumerator(reading.Token);
        var next = jobs.MoveNextAsync().AsTask();
        await _stop.CancelAsync();
        await _linkRun;
        await _fleet.WaitForAsync(m => m.Topic == $"{Base}/state" && m.Text == "offline", what: "the device offline");

        var job = new OtaJob("job-offline", "1.3.0", new Uri("https://updates.example/c.raucb"), 5, new string('d', 64), "stepaudio-edge", DateTimeOffset.UtcNow.AddHours(1));
        await _fleet.PublishAsync($"{Base}/ota/job", OtaJobJson.Serialize(job));
        Assert.False(next.IsCompleted);
        _stop.Dispose();
        _stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var token = _stop.Token;
        _linkRun = Task.Run(() => _link.RunAsync(token));

        Assert.True(await next.WaitAsync(reading.Token));
        Assert.Equal("job-offline", jobs.Current.JobId);
    }

    [Fact]
    public async Task ReadJobs_WhenAJobIsMalformed_ReportsTheFieldOnStatusAndStillDeliversTheNextJob()
    {
        // The agent reports its state first (as it does at start); a refusal says which state it is in.
        await _channel.PublishStatusAsync(new OtaStatus(null, null, OtaState.Idle, OtaReason.None, "idle", 0, 0, DateTimeOffset.UtcNow), _stop.Token);
        await _fleet.WaitForAsync(m => m.Topic == $"{Base}/ota/status", what: "the agent's status");
        await using var jobs = _channel.ReadJobsAsync(_stop.Token).GetAsyncEnumerator(_stop.Token);
        var next = jobs.MoveNextAsync().AsTask();
        var good = new OtaJob("job-good", "1.2.0", new Uri("https://updates.example/b.raucb"), 99, new string('b', 64), "stepaudio-edge", DateTimeOffset.UtcNow.AddHours(1));
        var bad = Encoding.UTF8.GetString(OtaJobJson.Serialize(good with { JobId = "job-bad" })).Replace(new string('b', 64), "not-a-hash", StringComparison.Ordinal);

        await _fleet.PublishAsync($"{Base}/ota/job", bad);
        await _fleet.PublishAsync($"{Base}/ota/job", "{ this is not json");
        await _fleet.PublishAsync($"{Base}/ota/job", OtaJobJson.Serialize(good));

        Assert.True(await next.WaitAsync(_stop.Token));
        Assert.Equal("job-good", jobs.Current.JobId);
        var refusals = await _fleet.WaitForCountAsync(
            m => m.Topic == $"{Base}/ota/status" && Encoding.UTF8.GetString(m.Payload).Contains(FleetOtaChannel.MalformedJobReason, StringComparison.Ordinal), 2, what: "malformed-job statuses");
        using var first = JsonDocument.Parse(refusals[0].Payload);
        Assert.Equal("job-bad", first.RootElement.GetProperty("jobId").GetString());
        Assert.Equal(FleetOtaChannel.MalformedJobReason, first.RootElement.GetProperty("reason").GetString());
        Assert.Equal("sha256", first.RootElement.GetProperty("field").GetString());
        Assert.True(first.RootElement.GetProperty("rejected").GetBoolean());
        Assert.Equal("Idle", first.RootElement.GetProperty("state").GetString());
        using var second = JsonDocument.Parse(refusals[1].Payload);
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("jobId").ValueKind);
        Assert.Contains("not valid JSON", second.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
