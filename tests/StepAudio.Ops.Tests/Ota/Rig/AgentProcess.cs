using System.Diagnostics;
using System.Text.Json;

namespace StepAudio.Ops.Tests.Ota.Rig;

/// <summary>How one run of the agent process ended.</summary>
internal enum AgentExit
{
    Settled,
    RebootRequested,
    Killed,
}

/// <summary>Starts tests/StepAudio.OtaAgentHost against a <see cref="SimulatedDevice"/> and reads what it published.</summary>
internal sealed class AgentProcess(SimulatedDevice device, string jobFile)
{
    private static readonly string HostDll = Path.Combine(
        AppContext.BaseDirectory.Replace("StepAudio.Ops.Tests", "StepAudio.OtaAgentHost", StringComparison.Ordinal), "StepAudio.OtaAgentHost.dll");

    public string StateDirectory => Path.Combine(device.Root, "state");

    public string DownloadDirectory => Path.Combine(device.Root, "state", "download");

    public string StatusLog => Path.Combine(device.Root, "status.jsonl");

    public string Counter => Path.Combine(device.Root, "saves.count");

    public string Log => Path.Combine(device.Root, "agent.log");

    public int Saves => File.Exists(Counter) ? int.Parse(File.ReadAllText(Counter)) : 0;

    public string Health { get; set; } = "pass";

    public AgentExit Run(int killAfterSave = 0, int cutBeforeRename = 0, long killAtBytes = 0)
    {
        if (!File.Exists(HostDll))
        {
            throw new InvalidOperationException($"{HostDll} is missing; build tests/StepAudio.OtaAgentHost.");
        }

        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            HostDll, "--conf", device.ConfigPath, "--bus", device.BusAddress, "--boot-id", device.BootId,
            "--state-dir", StateDirectory, "--download-dir", DownloadDirectory, "--job", jobFile, "--status-log", StatusLog,
            "--counter", Counter, "--health", Health,
            "--kill-after-save", killAfterSave.ToString(), "--cut-before-rename", cutBeforeRename.ToString(), "--kill-at-bytes", killAtBytes.ToString(),
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        File.AppendAllText(Log, stdout + stderr.Result + $"--- exit {process.ExitCode}\n");
        return process.ExitCode switch
        {
            0 => AgentExit.Settled,
            42 => AgentExit.RebootRequested,
            137 or -1 => AgentExit.Killed,
            _ => throw new InvalidOperationException($"the agent process failed with exit code {process.ExitCode}: {stdout}{stderr.Result}"),
        };
    }

    public IReadOnlyList<JsonElement> Published() =>
        File.Exists(StatusLog) ? File.ReadAllLines(StatusLog).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList() : [];
}
