using System.Diagnostics;
using StepAudio.Appliance.Cli;

namespace StepAudio.Appliance.Tests.Cli;

/// <summary>The CLI as its own process, where what native libraries print to stderr can be seen.</summary>
public sealed class CliProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cli-process-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Diagnose_WhenTheSoundCardIsMissing_ReportsItWithoutLibasoundsOwnLines()
    {
        var config = Path.Combine(_dir, "site.json");
        await File.WriteAllTextAsync(config, """
            { "Audio": { "Capture": { "Device": "hw:CARD=StepAudioNoSuchCard,DEV=0" }, "Playback": { "Device": "plughw:CARD=StepAudioNoSuchCard" } },
              "GpuServer": { "BaseAddress": "http://127.0.0.1:9" } }
            """);

        var (code, output) = await RunAsync("diagnose", "--config", config, "--state-dir", _dir);

        Assert.Contains("capture device", output, StringComparison.Ordinal);
        Assert.Contains("StepAudioNoSuchCard", output, StringComparison.Ordinal);
        Assert.DoesNotContain("ALSA lib", output, StringComparison.Ordinal);
        Assert.NotEqual(0, code & 4);
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        // The test host copies the appliance beside the tests; its dll runs as 'dotnet stepaudio-edge.dll'.
        var dll = typeof(ApplianceCommandLine).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _dir, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
