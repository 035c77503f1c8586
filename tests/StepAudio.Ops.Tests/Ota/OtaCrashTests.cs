using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Ota.State;
using StepAudio.Ops.Storage;
using StepAudio.Ops.Tests.Ota.Rig;
using Xunit.Abstractions;

namespace StepAudio.Ops.Tests.Ota;

/// <summary>
/// The agent runs in its own process and is killed with SIGKILL after every state save, with and
/// without a power cut (RAUC's service dies too and the bootloader picks a slot again), and cut
/// between every save's temp write and its rename, and mid-download. Each run must end settled,
/// with the device booting a good slot that holds a known image, and stay there on the next boot.
/// </summary>
[Collection(RaucGroup.Name)]
public sealed class OtaCrashTests(OtaRigFixture rig, ITestOutputHelper output)
{
    private enum Cut
    {
        KillAfterSave,
        PowerCutAfterSave,
        PowerCutBeforeRename,
    }

    [Fact]
    public void Agent_WhenUninterrupted_CommitsAcrossOneReboot()
    {
        var clock = Stopwatch.StartNew();
        var (state, saves, problems) = RunScenario(Cut.KillAfterSave, point: 0);
        output.WriteLine($"job to committed in {clock.ElapsedMilliseconds} ms including device boots; {saves} state saves");

        Assert.Empty(problems);
        Assert.Equal(OtaState.Committed, state);
        Assert.Equal(SavesOfOneUpdate.Length, saves);
    }

    [Fact]
    public void Agent_WhenHealthFails_RollsBackToPreviousSlotAndStaysThere()
    {
        var (state, _, problems) = RunScenario(Cut.KillAfterSave, point: 0, health: "fail");

        Assert.Empty(problems);
        Assert.Equal(OtaState.RolledBack, state);
    }

    /// <summary>
    /// The state saves of one uninterrupted update, in order: each is a point where the power can go. Written out so
    /// that a save the agent stops making (or a counter that stops counting) shrinks the sweep visibly instead of
    /// silently, and a new step must be added here on purpose.
    /// </summary>
    private static readonly string[] SavesOfOneUpdate =
    [
        "first boot: the factory slot marked good",
        "job accepted: Downloading",
        "sha256 matches: Verifying",
        "signature and payload verified: Installing",
        "install attempt 1 recorded before rauc install",
        "installed into the other slot: AwaitingReboot",
        "second boot: Rebooted",
        "new slot booted: HealthCheck",
        "health passed: Committed",
        "outcome published: OutcomeReported",
    ];

    [Fact]
    public void Agent_WhenKilledOrPoweredOffAtEveryStep_AlwaysEndsConsistent()
    {
        var (_, saves, _) = RunScenario(Cut.KillAfterSave, point: 0);
        Assert.Equal(SavesOfOneUpdate.Length, saves);
        var failures = new List<string>();
        var points = 0;
        foreach (var cut in Enum.GetValues<Cut>())
        {
            for (var point = 1; point <= saves; point++)
            {
                points++;
                var (state, _, problems) = RunScenario(cut, point);
                output.WriteLine($"{cut} at save {point}: {state} {(problems.Count == 0 ? "consistent" : string.Join("; ", problems))}");
                failures.AddRange(problems.Select(p => $"{cut} at save {point}: {p}"));
            }
        }

        output.WriteLine($"{points} kill/power-cut points, {failures.Count} inconsistent");
        // Every save of the update, under each of the three ways to cut: 10 x 3 = 30 points.
        Assert.Equal(SavesOfOneUpdate.Length * Enum.GetValues<Cut>().Length, points);
        Assert.Equal(30, points);
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Agent_WhenKilledMidDownload_ResumesWithRangeAndCommits(bool powerCut)
    {
        var (state, _, problems) = RunScenario(powerCut ? Cut.PowerCutAfterSave : Cut.KillAfterSave, point: 0, killMidDownload: true);

        Assert.Empty(problems);
        Assert.Equal(OtaState.Committed, state);
    }

    private (OtaState State, int Saves, List<string> Problems) RunScenario(Cut cut, int point, string health = "pass", bool killMidDownload = false)
    {
        using var device = rig.NewDevice();
        using var server = new BundleFileServer { ChunkBytes = 16 * 1024 };
        var job = AgentHarness.Job(rig.Update, server.Publish(rig.Update.Path));
        var jobFile = Path.Combine(device.Root, "job.json");
        File.WriteAllBytes(jobFile, OtaJobJson.Serialize(job));
        var agent = new AgentProcess(device, jobFile) { Health = health };
        var problems = new List<string>();
        var settled = false;
        for (var run = 0; run < 12 && !settled; run++)
        {
            var first = run == 0;
            var exit = agent.Run(
                killAfterSave: first && cut != Cut.PowerCutBeforeRename ? point : 0,
                cutBeforeRename: first && cut == Cut.PowerCutBeforeRename ? point : 0,
                killAtBytes: first && killMidDownload ? rig.Update.Size / 2 : 0);
            switch (exit)
            {
                case AgentExit.Settled:
                    settled = true;
                    break;
                case AgentExit.RebootRequested:
                    device.PowerCycle();
                    break;
                case AgentExit.Killed when cut != Cut.KillAfterSave:
                    device.PowerCycle();
                    break;
            }
        }

        if (!settled)
        {
            problems.Add("the agent did not settle within 12 starts");
            return (OtaState.Idle, agent.Saves, problems);
        }

        if (killMidDownload)
        {
            var resumedAt = server.RangeRequests.Where(r => r.StartsWith("bytes=", StringComparison.Ordinal)).Select(r => long.Parse(r[6..^1])).FirstOrDefault();
            output.WriteLine($"killed mid-download; resumed at byte {resumedAt} of {rig.Update.Size}; {server.BytesSent} bytes sent in all ({server.BytesSent - rig.Update.Size} more than the bundle)");
            if (resumedAt < rig.Update.Size / 2)
            {
                problems.Add($"the download did not resume past the half already on disk (ranges: {string.Join(",", server.RangeRequests)})");
            }
        }

        var record = new OtaStateStore(agent.StateDirectory, NullLogger<OtaStateStore>.Instance).Load();
        CheckConsistent(device, agent, record, problems);
        var saves = agent.Saves;

        // One more power cycle: the device must boot the same good slot and the agent stay settled.
        var bootedBefore = device.BootedSlot;
        device.PowerCycle();
        if (device.BootedSlot != bootedBefore)
        {
            problems.Add($"the next boot went to {device.BootedSlot} instead of {bootedBefore}");
        }

        if (agent.Run() != AgentExit.Settled)
        {
            problems.Add("the agent did not stay settled on the next boot");
        }

        CheckConsistent(device, agent, new OtaStateStore(agent.StateDirectory, NullLogger<OtaStateStore>.Instance).Load(), problems);
        return (record.State, saves, problems);
    }

    private static void CheckConsistent(SimulatedDevice device, AgentProcess agent, OtaRecord record, List<string> problems)
    {
        if (!record.IsSettled)
        {
            problems.Add($"state {record.State} is not settled");
        }

        if (File.Exists(Path.Combine(agent.StateDirectory, OtaStateStore.FileName + AtomicFile.TempSuffix)))
        {
            problems.Add("a temp state file was left behind");
        }

        var version = device.BootedImageVersion();
        var expected = record.State == OtaState.Committed ? OtaRigFixture.UpdateVersion : SimulatedDevice.FactoryVersion;
        if (version != expected)
        {
            problems.Add($"state {record.State} but slot {device.BootedSlot} holds {version ?? "an unknown image"}");
        }

        if (device.ReadBootFile($"state.{device.BootedSlot}") != "good")
        {
            problems.Add($"the booted slot {device.BootedSlot} is not marked good");
        }

        if (Directory.Exists(agent.DownloadDirectory) && Directory.EnumerateFiles(agent.DownloadDirectory).Any())
        {
            problems.Add("a downloaded bundle was left behind");
        }

        var outcome = agent.Published().LastOrDefault(e => e.GetProperty("kind").GetString() == "outcome");
        if (record.State != OtaState.Idle && (outcome.ValueKind == System.Text.Json.JsonValueKind.Undefined || outcome.GetProperty("state").GetString() != record.State.ToString()))
        {
            problems.Add($"the outcome {record.State} was not published");
        }
    }
}
