using StepAudio.Appliance.Cli;
using StepAudio.TestSupport;

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

    // The test host copies the appliance beside the tests; its dll runs as 'dotnet stepaudio-edge.dll'.
    private Task<(int Code, string Output)> RunAsync(params string[] args) =>
        ExternalTool.RunToEndAsync("dotnet", [typeof(ApplianceCommandLine).Assembly.Location, .. args], _dir, TimeSpan.FromMinutes(2));
}
