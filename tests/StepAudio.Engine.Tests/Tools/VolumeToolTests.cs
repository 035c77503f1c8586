using System.Text.Json;
using StepAudio.Appliance.Storage;
using StepAudio.Engine.Link;
using StepAudio.Engine.Tests.Link;
using StepAudio.Engine.Tests.Tools.Fakes;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Tools.State;
using StepAudio.Engine.Tools.Volume;
using StepAudio.StandInServer;

namespace StepAudio.Engine.Tests.Tools;

public sealed class VolumeToolTests : StandInTestBase, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-volume-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task SetVolume_WhenTheModelAsksForALevel_ChangesThePlaybackGainLiveAndKeepsItAcrossARestart()
    {
        Server.Options.ToolScript.Add(new StandInToolRound(null, new StandInToolCall("set_volume", """{"level": 35}""")));
        var playback = new FakeVolumeControl();
        var volume = new VolumeSetting(playback, _dir, AtomicFileWriter.Instance, new VolumeOptions());
        volume.Restore();
        using var client = new GpuServerClient(ClientOptions());
        var conversation = new ToolConversation(new ToolRunner([new SetVolumeTool(volume)], new ToolsOptions()));

        string spoken = string.Concat(await CollectAsync(conversation.StreamAsync(client, [new ChatMessage(ChatMessage.Human, "quieter")], Task.CompletedTask)));

        Assert.Equal([0.60f, 0.35f], playback.History);
        Assert.Contains("\"level\":35", spoken, StringComparison.Ordinal);
        var restarted = new FakeVolumeControl();
        new VolumeSetting(restarted, _dir, AtomicFileWriter.Instance, new VolumeOptions()).Restore();
        Assert.Equal(0.35f, restarted.Volume);
    }

    [Theory]
    [InlineData("up", 95, 100)]
    [InlineData("down", 5, 0)]
    [InlineData("DOWN", 50, 40)]
    public async Task SetVolume_WhenStepping_MovesOneStepAndStaysWithin0To100(string direction, int start, int expected)
    {
        var playback = new FakeVolumeControl();
        var volume = new VolumeSetting(playback, _dir, AtomicFileWriter.Instance, new VolumeOptions { Step = 10 });
        volume.Set(start);

        ToolResult result = await new SetVolumeTool(volume).InvokeAsync(Args($$"""{"direction": "{{direction}}"}"""), CancellationToken.None);

        Assert.Equal(expected, volume.Percent);
        Assert.Equal(expected / 100f, playback.Volume);
        Assert.Equal($"Volume set to {expected}.", result.Spoken);
    }

    [Theory]
    [InlineData("""{"level": 150}""", "'level' must be between 0 and 100")]
    [InlineData("""{"direction": "sideways"}""", "'direction' must be 'up' or 'down'")]
    [InlineData("{}", "give 'level' (0-100) or 'direction'")]
    public async Task SetVolume_WhenArgumentsAreWrong_ThrowsNamingTheFieldAndLeavesTheGain(string arguments, string expected)
    {
        var playback = new FakeVolumeControl();
        var volume = new VolumeSetting(playback, _dir, AtomicFileWriter.Instance, new VolumeOptions());

        var ex = await Assert.ThrowsAsync<ToolArgumentException>(() => new SetVolumeTool(volume).InvokeAsync(Args(arguments), CancellationToken.None));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Empty(playback.History);
    }

    [Fact]
    public void Restore_WhenTheFileHoldsAnOutOfRangeLevel_ThrowsNamingTheFile()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "volume.json"), """{"percent": 400}""");

        var ex = Assert.Throws<ToolStateException>(() => new VolumeSetting(new FakeVolumeControl(), _dir, AtomicFileWriter.Instance, new VolumeOptions()).Restore());

        Assert.Contains("volume.json", ex.Message, StringComparison.Ordinal);
    }

    private static JsonElement Args(string json) => JsonDocument.Parse(json).RootElement;
}
