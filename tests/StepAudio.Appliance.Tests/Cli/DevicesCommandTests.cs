using System.Text.Json.Nodes;
using StepAudio.Appliance.Tests.Audio;

namespace StepAudio.Appliance.Tests.Cli;

[Collection(AlsaTestGroup.Name)]
public sealed class DevicesCommandTests(AlsaFileDevices devices)
{
    [Fact]
    public async Task Devices_WhenJson_ListsTheTestPcmWithDescriptionAndDirections()
    {
        Assert.NotNull(devices);

        var (code, output, _) = await CliRunner.RunAsync("devices", "--json");

        Assert.Equal(0, code);
        var listed = JsonNode.Parse(output)!.AsArray();
        var sink = Assert.Single(listed, d => d!["name"]!.GetValue<string>() == AlsaFileDevices.ListedPcm)!;
        Assert.Equal(AlsaFileDevices.ListedDescription, sink["description"]!.GetValue<string>());
        Assert.True(sink["capture"]!.GetValue<bool>());
        Assert.True(sink["playback"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Devices_WhenTable_PrintsHeaderAndOneRowPerPcm()
    {
        var (code, output, _) = await CliRunner.RunAsync("devices");

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^NAME +CAPTURE +PLAYBACK +DESCRIPTION$", lines[0]);
        var row = Assert.Single(lines, l => l.StartsWith(AlsaFileDevices.ListedPcm + " ", StringComparison.Ordinal));
        Assert.Matches($"^{AlsaFileDevices.ListedPcm} +yes +yes +{AlsaFileDevices.ListedDescription}$", row);
    }
}
