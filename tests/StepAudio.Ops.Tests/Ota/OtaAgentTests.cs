using System.Diagnostics;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Tests.Ota.Rig;
using Xunit.Abstractions;

namespace StepAudio.Ops.Tests.Ota;

[Collection(RaucGroup.Name)]
public sealed class OtaAgentTests(OtaRigFixture rig, ITestOutputHelper output) : IDisposable
{
    private readonly SimulatedDevice _device = rig.NewDevice();
    private readonly BundleFileServer _server = new();

    [Fact]
    public async Task HandleJob_WhenBundleIsGood_InstallsThroughRaucRebootsAndCommits()
    {
        using var harness = new AgentHarness(_device);
        var job = AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path));
        var clock = Stopwatch.StartNew();

        var first = await harness.NewAgent().HandleJobAsync(job, CancellationToken.None);

        Assert.Equal(OtaRunResult.RebootRequested, first);
        Assert.Contains("set-primary B", _device.BootloaderRequests());
        Assert.Equal("B", _device.PowerCycle());
        Assert.Equal(OtaRunResult.Settled, await harness.NewAgent().ResumeAsync(CancellationToken.None));
        output.WriteLine($"OTA job to committed through the real rauc ({rig.Update.Size} byte bundle, simulated power cycle included): {clock.Elapsed.TotalSeconds:F2} s");
        var record = harness.Store.Load();
        Assert.Equal(OtaState.Committed, record.State);
        Assert.Equal("rootfs.1", record.TargetSlot);
        Assert.Equal(OtaRigFixture.UpdateVersion, _device.BootedImageVersion());
        Assert.Contains("set-state B good", _device.BootloaderRequests());
        var states = harness.Channel.Statuses.Select(s => s.State).Distinct().ToArray();
        Assert.Equal([OtaState.Downloading, OtaState.Verifying, OtaState.Installing, OtaState.AwaitingReboot, OtaState.Rebooted, OtaState.HealthCheck, OtaState.Committed], states);
        var outcome = Assert.Single(harness.Channel.Outcomes);
        Assert.Equal((OtaState.Committed, "rootfs.1"), (outcome.Outcome, outcome.RunningSlot));
        Assert.Empty(Directory.EnumerateFiles(harness.Options.DownloadDirectory));
    }

    [Fact]
    public async Task Resume_WhenHealthCheckFails_MarksBadAndRebootsIntoPreviousSlot()
    {
        using var harness = new AgentHarness(_device, new HealthCheckResult("wake-clip", HealthVerdict.Failed, "no wake event"));
        await harness.NewAgent().HandleJobAsync(AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path)), CancellationToken.None);
        _device.PowerCycle();

        var afterCheck = await harness.NewAgent().ResumeAsync(CancellationToken.None);

        Assert.Equal(OtaRunResult.RebootRequested, afterCheck);
        Assert.Equal("bad", _device.ReadBootFile("state.B"));
        Assert.Equal("A", _device.PowerCycle());
        Assert.Equal(OtaRunResult.Settled, await harness.NewAgent().ResumeAsync(CancellationToken.None));
        var record = harness.Store.Load();
        Assert.Equal((OtaState.RolledBack, OtaReason.HealthCheckFailed, false), (record.State, record.Reason, record.RebootPending));
        Assert.Equal(SimulatedDevice.FactoryVersion, _device.BootedImageVersion());
        var outcome = Assert.Single(harness.Channel.Outcomes);
        Assert.Equal((OtaState.RolledBack, "rootfs.0"), (outcome.Outcome, outcome.RunningSlot));
        Assert.Contains("no wake event", outcome.Message);
    }

    [Fact]
    public async Task Resume_WhenOnlyTheServerIsDown_CommitsBecauseThatIsNotTheUpdatesFault()
    {
        using var harness = new AgentHarness(_device,
            new HealthCheckResult("wake-clip", HealthVerdict.Passed, "ok"),
            new HealthCheckResult("gpu-server", HealthVerdict.FailedNotUpdateFault, "unreachable from the previous slot too"));
        await harness.NewAgent().HandleJobAsync(AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path)), CancellationToken.None);
        _device.PowerCycle();

        await harness.NewAgent().ResumeAsync(CancellationToken.None);

        Assert.Equal(OtaState.Committed, harness.Store.Load().State);
    }

    [Fact]
    public async Task Resume_WhenNewSlotNeverComesUp_BootloaderFallsBackAndAgentReportsIt()
    {
        using var harness = new AgentHarness(_device);
        await harness.NewAgent().HandleJobAsync(AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path)), CancellationToken.None);

        // Three boots of B that die before the agent runs spend B's attempts; the bootloader then picks A.
        Assert.Equal("B", _device.PowerCycle());
        Assert.Equal("B", _device.PowerCycle());
        Assert.Equal("B", _device.PowerCycle());
        Assert.Equal("A", _device.PowerCycle());
        await harness.NewAgent().ResumeAsync(CancellationToken.None);

        var record = harness.Store.Load();
        Assert.Equal((OtaState.RolledBack, OtaReason.NewSlotDidNotBoot), (record.State, record.Reason));
        Assert.Equal("good", _device.ReadBootFile("state.A"));
        Assert.Equal("bad", _device.ReadBootFile("state.B"));
    }

    public static TheoryData<string, OtaReason, string> RefusedBundles => new()
    {
        { "tampered", OtaReason.BundleRejected, "payload" },
        { "other-ca", OtaReason.BundleRejected, "signature verification failed" },
        { "wrong-compatible", OtaReason.BundleIncompatible, "some-other-product" },
    };

    [Theory]
    [MemberData(nameof(RefusedBundles))]
    public async Task HandleJob_WhenRaucOrManifestRefusesBundle_FailsWithReasonAndInstallsNothing(string which, OtaReason reason, string said)
    {
        using var harness = new AgentHarness(_device);
        var bundle = which switch { "tampered" => rig.Tampered, "other-ca" => rig.SignedByOtherCa, _ => rig.WrongCompatible };

        var result = await harness.NewAgent().HandleJobAsync(AgentHarness.Job(bundle, _server.Publish(bundle.Path)), CancellationToken.None);

        Assert.Equal(OtaRunResult.Settled, result);
        var record = harness.Store.Load();
        Assert.Equal((OtaState.Failed, reason), (record.State, record.Reason));
        Assert.Contains(said, record.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_device.BootloaderRequests(), r => r.StartsWith("set-", StringComparison.Ordinal));
        Assert.Equal("A", _device.ReadBootFile("primary"));
        Assert.Equal(new byte[4096], File.ReadAllBytes(_device.SlotB).AsSpan(0, 4096).ToArray());
        Assert.Equal(reason, Assert.Single(harness.Channel.Outcomes).Reason);
    }

    [Fact]
    public async Task HandleJob_WhenDownloadHashDiffersFromJob_FailsWithHashMismatchAfterOneRefetch()
    {
        using var harness = new AgentHarness(_device);
        var job = AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path), sha: new string('0', 64));

        await harness.NewAgent().HandleJobAsync(job, CancellationToken.None);

        var record = harness.Store.Load();
        Assert.Equal((OtaState.Failed, OtaReason.HashMismatch, 1), (record.State, record.Reason, record.DownloadRestarts));
        Assert.Equal(2 * rig.Update.Size, _server.BytesSent);
        Assert.DoesNotContain(_device.BootloaderRequests(), r => r.StartsWith("set-", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, bool, OtaReason> RejectedJobs => new()
    {
        { SimulatedDevice.FactoryVersion, SimulatedDevice.Compatible, false, OtaReason.AlreadyInstalled },
        { "0.9.0", SimulatedDevice.Compatible, false, OtaReason.OlderVersion },
        { "2.0.0", "some-other-product", false, OtaReason.IncompatibleJob },
    };

    [Theory]
    [MemberData(nameof(RejectedJobs))]
    public async Task HandleJob_WhenVersionOrCompatibleIsWrong_RejectsWithReasonAndStaysIdle(string version, string compatible, bool downgrade, OtaReason reason)
    {
        using var harness = new AgentHarness(_device);
        var job = AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path), version, compatible, downgrade: downgrade);

        await harness.NewAgent().HandleJobAsync(job, CancellationToken.None);

        var status = Assert.Single(harness.Channel.Statuses);
        Assert.True(status.Rejected);
        Assert.Equal((reason, OtaState.Idle, job.JobId), (status.Reason, status.State, status.JobId));
        Assert.Equal(OtaState.Idle, harness.Store.Load().State);
        Assert.Equal(0, _server.BytesSent);
    }

    [Fact]
    public async Task HandleJob_WhenOlderVersionSaysDowngradeButPolicyForbidsIt_RejectsAndDownloadsNothing()
    {
        using var harness = new AgentHarness(_device);
        harness.Options.InstalledVersion = "1.5.0";
        Assert.False(harness.Options.AllowDowngrade);
        var job = AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path), downgrade: true);

        await harness.NewAgent().HandleJobAsync(job, CancellationToken.None);

        var status = Assert.Single(harness.Channel.Statuses);
        Assert.True(status.Rejected);
        Assert.Equal(OtaReason.OlderVersion, status.Reason);
        Assert.Contains("Ota:AllowDowngrade", status.Message, StringComparison.Ordinal);
        Assert.Equal(OtaState.Idle, harness.Store.Load().State);
        Assert.Equal(0, _server.BytesSent);
    }

    [Fact]
    public async Task HandleJob_WhenPolicyAllowsDowngradeButJobDoesNotSayIt_Rejects()
    {
        using var harness = new AgentHarness(_device);
        harness.Options.InstalledVersion = "1.5.0";
        harness.Options.AllowDowngrade = true;
        var job = AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path), downgrade: false);

        await harness.NewAgent().HandleJobAsync(job, CancellationToken.None);

        var status = Assert.Single(harness.Channel.Statuses);
        Assert.Equal((true, OtaReason.OlderVersion), (status.Rejected, status.Reason));
        Assert.Equal(0, _server.BytesSent);
    }

    [Fact]
    public async Task HandleJob_WhenOlderVersionSaysDowngradeAndPolicyAllowsIt_AcceptsIt()
    {
        using var harness = new AgentHarness(_device);
        harness.Options.InstalledVersion = "1.5.0";
        harness.Options.AllowDowngrade = true;
        var job = AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path), downgrade: true);

        var result = await harness.NewAgent().HandleJobAsync(job, CancellationToken.None);

        Assert.Equal(OtaRunResult.RebootRequested, result);
        Assert.Equal(OtaState.AwaitingReboot, harness.Store.Load().State);
    }

    [Fact]
    public async Task HandleJob_WhenDeviceIsBusy_RebootsOnlyOnceIdle()
    {
        using var harness = new AgentHarness(_device);
        harness.Activity.BusyLooks = 5;

        await harness.NewAgent().HandleJobAsync(AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path)), CancellationToken.None);

        Assert.Single(harness.Reboot.Requests);
        Assert.Equal(6, harness.Activity.Looks);
    }

    [Fact]
    public async Task HandleJob_WhenNeverIdleBeforeDeadline_FailsAndGivesPrimaryBackToRunningSlot()
    {
        using var harness = new AgentHarness(_device);
        harness.Activity.BusyLooks = int.MaxValue;
        var job = AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path), deadline: DateTimeOffset.UtcNow.AddSeconds(3));

        await harness.NewAgent().HandleJobAsync(job, CancellationToken.None);

        Assert.Empty(harness.Reboot.Requests);
        Assert.Equal((OtaState.Failed, OtaReason.RebootWindowMissed), (harness.Store.Load().State, harness.Store.Load().Reason));
        Assert.Equal("A", _device.ReadBootFile("primary"));
        Assert.Equal("A", _device.PowerCycle());
    }

    [Fact]
    public async Task HandleJob_WhenStatusPublishingFails_StillCommitsAndReportsOutcomeLater()
    {
        using var harness = new AgentHarness(_device);
        harness.Channel.FailPublishing = true;
        await harness.NewAgent().HandleJobAsync(AgentHarness.Job(rig.Update, _server.Publish(rig.Update.Path)), CancellationToken.None);
        _device.PowerCycle();
        await harness.NewAgent().ResumeAsync(CancellationToken.None);
        Assert.False(harness.Store.Load().OutcomeReported);

        harness.Channel.FailPublishing = false;
        await harness.NewAgent().ResumeAsync(CancellationToken.None);

        Assert.True(harness.Store.Load().OutcomeReported);
        Assert.Equal(OtaState.Committed, Assert.Single(harness.Channel.Outcomes).Outcome);
    }

    public void Dispose()
    {
        _server.Dispose();
        _device.Dispose();
    }
}
