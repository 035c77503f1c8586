using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Ota.Download;
using StepAudio.Ops.Ota.Rauc;
using StepAudio.Ops.Ota.State;

// Runs the OTA agent once against a simulated device: resume, then the job from --job if it is new.
// Exit 0: settled. Exit 42: the agent asked for a reboot (the harness power-cycles the device).
// --kill-after-save N / --cut-before-rename N: SIGKILL this process right after the Nth state save
// (counted across restarts in --counter), or between the Nth save's temp write and its rename.
// --kill-at-bytes N: SIGKILL once the download has reported N bytes on disk.
var options = Arguments.Parse(args);
using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
var counterPath = options["counter"];
var killAfter = options.TryGetValue("kill-after-save", out var ka) ? int.Parse(ka) : 0;
var cutBefore = options.TryGetValue("cut-before-rename", out var cb) ? int.Parse(cb) : 0;
var killAtBytes = options.TryGetValue("kill-at-bytes", out var kb) ? long.Parse(kb) : 0;
var saves = File.Exists(counterPath) ? int.Parse(File.ReadAllText(counterPath)) : 0;

void Die()
{
    Console.Out.Flush();
    Process.GetCurrentProcess().Kill();
    Thread.Sleep(Timeout.Infinite);
}

var store = new OtaStateStore(options["state-dir"], loggerFactory.CreateLogger<OtaStateStore>(), _ =>
{
    saves++;
    File.WriteAllText(counterPath, saves.ToString());
    if (saves == cutBefore)
    {
        Die();
    }
});

var agentOptions = Options.Create(new OtaAgentOptions
{
    StateDirectory = options["state-dir"],
    DownloadDirectory = options["download-dir"],
    InstalledVersion = "1.0.0",
    IdlePollInterval = TimeSpan.FromMilliseconds(5),
    DownloadRetryDelay = TimeSpan.FromMilliseconds(20),
    ProgressInterval = TimeSpan.Zero,
    FreeSpaceMarginBytes = 1024 * 1024,
});
var raucOptions = new RaucCliOptions { ConfigPath = options["conf"], CommandTimeout = TimeSpan.FromMinutes(2) };
raucOptions.Environment["DBUS_SESSION_BUS_ADDRESS"] = options["bus"];
raucOptions.Environment["DBUS_STARTER_BUS_TYPE"] = "session";
using var http = new HttpClient();
var channel = new FileOtaChannel(options["status-log"], bytes =>
{
    // Progress is reported after the bytes are written: the partial file holds at least this much.
    if (killAtBytes > 0 && bytes >= killAtBytes)
    {
        Die();
    }
});
var agent = new OtaAgent(
    channel,
    new OtaSlots(new RaucCli(Options.Create(raucOptions), loggerFactory.CreateLogger<RaucCli>()), new ExitOnReboot(), new FixedBoot(options["boot-id"])),
    new BundleDownloader(http, agentOptions, TimeProvider.System, loggerFactory.CreateLogger<BundleDownloader>()),
    store,
    new OtaDevice(new IdleDevice(), new ScriptedHealth(options["health"] == "pass")),
    agentOptions,
    TimeProvider.System,
    loggerFactory.CreateLogger<OtaAgent>());
agent.StepPersisted += _ =>
{
    if (saves == killAfter)
    {
        Die();
    }
};

var result = await agent.ResumeAsync(CancellationToken.None);
if (result == OtaRunResult.Settled && options.TryGetValue("job", out var jobPath))
{
    var job = OtaJobJson.Parse(File.ReadAllBytes(jobPath));
    if (agent.Record.Job?.JobId != job.JobId)
    {
        result = await agent.HandleJobAsync(job, CancellationToken.None);
    }
}

return result == OtaRunResult.RebootRequested ? 42 : 0;

internal static class Arguments
{
    public static Dictionary<string, string> Parse(string[] args)
    {
        var map = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"expected --name value pairs, got '{args[i]}'.");
            }

            map[args[i][2..]] = args[i + 1];
        }

        return map;
    }
}

/// <summary>Statuses and outcomes as JSON lines in a file the test reads.</summary>
internal sealed class FileOtaChannel(string path, Action<long> onDownloadProgress) : IOtaChannel
{
    private readonly Lock _gate = new();

    public async IAsyncEnumerable<OtaJob> ReadJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield break;
    }

    public Task PublishStatusAsync(OtaStatus status, CancellationToken cancellationToken)
    {
        if (status.State == OtaState.Downloading)
        {
            onDownloadProgress(status.BytesDone);
        }

        Append(JsonSerializer.Serialize(new { kind = "status", jobId = status.JobId, state = status.State.ToString(), reason = status.Reason.ToString(), final = status.IsFinal, bytes = status.BytesDone, message = status.Message }));
        return Task.CompletedTask;
    }

    public Task PublishOutcomeAsync(OtaOutcomeEvent outcome, CancellationToken cancellationToken)
    {
        Append(JsonSerializer.Serialize(new { kind = "outcome", jobId = outcome.JobId, state = outcome.Outcome.ToString(), reason = outcome.Reason.ToString(), slot = outcome.RunningSlot, message = outcome.Message }));
        return Task.CompletedTask;
    }

    private void Append(string line)
    {
        lock (_gate)
        {
            File.AppendAllText(path, line + "\n");
        }
    }
}

internal sealed class IdleDevice : IDeviceActivity
{
    public bool TurnInProgress => false;

    public bool AudioPlaying => false;
}

internal sealed class ScriptedHealth(bool pass) : IHealthProbe
{
    public Task<HealthReport> CheckAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new HealthReport([new HealthCheckResult("wake-clip", pass ? HealthVerdict.Passed : HealthVerdict.Failed, pass ? "expected events" : "no wake event")]));
}

internal sealed class ExitOnReboot : ISystemReboot
{
    public Task RequestRebootAsync(string reason, CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class FixedBoot(string id) : IBootIdentity
{
    public string CurrentBootId => id;
}
