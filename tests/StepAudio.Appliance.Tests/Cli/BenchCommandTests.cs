using System.Text.Json.Nodes;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Cli;

[Collection(PinnedModelsGroup.Name)]
public sealed class BenchCommandTests(ModelsFixture models)
{
    [Fact]
    public async Task Bench_WhenTwoSeconds_ReportsBothPassesWithCostAndNoAllocationPerFrame()
    {
        Assert.NotNull(models);

        var (code, output, error) = await CliRunner.RunAsync("bench", "--seconds", "2", "--json");

        Assert.True(code == 0, error);
        var report = JsonNode.Parse(output)!;
        Assert.True(report["load_ms"]!.GetValue<double>() > 0);
        Assert.True(report["warmup_ms"]!.GetValue<double>() > 0);
        var passes = report["passes"]!.AsArray();
        Assert.Equal(["quiet_room", "voice"], passes.Select(p => p!["name"]!.GetValue<string>()));
        Assert.Equal([false, true], passes.Select(p => p!["gate_open"]!.GetValue<bool>()));
        Assert.All(passes, pass =>
        {
            Assert.Equal(62, pass!["frames"]!.GetValue<int>());
            Assert.True(pass["cpu_ms_per_audio_second"]!.GetValue<double>() > 0, pass.ToJsonString());
            Assert.True(pass["real_time_factor"]!.GetValue<double>() > 0, pass.ToJsonString());
            Assert.Equal(0, pass["bytes_per_frame"]!.GetValue<double>());
        });
    }

    [Fact]
    public async Task Bench_WhenSecondsIsZero_ExitsBadInput()
    {
        var (code, _, _) = await CliRunner.RunAsync("bench", "--seconds", "0");

        Assert.Equal(2, code);
    }
}
