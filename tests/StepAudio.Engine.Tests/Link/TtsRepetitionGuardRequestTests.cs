using System.Text.Json;
using StepAudio.Engine.Link;
using StepAudio.Engine.Tests.Fakes;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Engine.Tests.Link;

public sealed class TtsRepetitionGuardRequestTests : StandInTestBase
{
    private const int RepetitionGuardNotApplied = 1309;

    [Fact]
    public async Task StreamTtsAsync_WhenTheGuardIsOn_ThenTheRequestAsksForItThroughVllmXargsWithTheReferenceSampling()
    {
        using var client = new GpuServerClient(ClientOptions());
        int[] prompt = await TtsPromptAsync(client, "Hi");

        await CollectAsync(client.StreamTtsAsync(prompt));

        using JsonDocument json = JsonDocument.Parse(Assert.Single(Server.CompletionRequestBodies));
        JsonElement root = json.RootElement;
        JsonElement guard = root.GetProperty("vllm_xargs");
        Assert.Equal(10, guard.GetProperty("repetition_guard_window").GetInt32());
        Assert.Equal(2, guard.GetProperty("repetition_guard_min_count").GetInt32());
        Assert.Equal(0.7, root.GetProperty("temperature").GetDouble());
        Assert.Equal(8192, root.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task StreamTtsAsync_WhenTheGuardIsOff_ThenTheRequestCarriesNoXargs()
    {
        using var client = new GpuServerClient(ClientOptions(o => o.TtsRepetitionGuard = false));
        int[] prompt = await TtsPromptAsync(client, "Hi");

        await CollectAsync(client.StreamTtsAsync(prompt));

        using JsonDocument json = JsonDocument.Parse(Assert.Single(Server.CompletionRequestBodies));
        Assert.False(json.RootElement.TryGetProperty("vllm_xargs", out _));
    }

    [Fact]
    public async Task StreamTtsAsync_WhenTheServerLetsBannedIdsThrough_ThenTheClientCountsThemLogsOnceAndStillYieldsEveryId()
    {
        // 7 twice bans 7 for the next step; the third 7 breaks the rule. 9 then lifts the ban.
        using var http = new HttpClient(new CannedSseHandler("<audio_7>", "<audio_7>", "<audio_7>", "<audio_9>", "<audio_7>"));
        var log = new ListLogger<GpuServerClient>();
        using var client = new GpuServerClient(http, ClientOptions(), log);
        int[] prompt = [1, 4, 200, 3, 4, 80];

        List<int> first = await CollectAsync(client.StreamTtsAsync(prompt));
        List<int> second = await CollectAsync(client.StreamTtsAsync(prompt));

        Assert.Equal([7, 7, 7, 9, 7], first);
        Assert.Equal(first, second);
        Assert.Equal(2, client.TtsRepetitionGuardViolations);
        Assert.Equal(1, log.Count(RepetitionGuardNotApplied));
        Assert.Contains("audio id 7", Assert.Single(log.Messages(RepetitionGuardNotApplied)));
    }

    [Fact]
    public async Task StreamTtsAsync_WhenTheStreamKeepsTheRule_ThenNothingIsCounted()
    {
        using var http = new HttpClient(new CannedSseHandler("<audio_7>", "<audio_7>", "<audio_9>", "<audio_7>", "<audio_1030>"));
        using var client = new GpuServerClient(http, ClientOptions());

        List<int> ids = await CollectAsync(client.StreamTtsAsync([1, 4, 200, 3, 4, 80]));

        Assert.Equal([7, 7, 9, 7, 1030], ids);
        Assert.Equal(0, client.TtsRepetitionGuardViolations);
    }

    [Fact]
    public async Task StreamTtsAsync_WhenTheServerEchoesTheEndOfSpeechToken_ThenItIsDroppedFromTheIds()
    {
        using var http = new HttpClient(new CannedSseHandler("<audio_7>", "<audio_1030>", "<|EOT|>"));
        using var client = new GpuServerClient(http, ClientOptions());

        List<int> ids = await CollectAsync(client.StreamTtsAsync([1, 4, 200, 3, 4, 80]));

        Assert.Equal([7, 1030], ids);
    }
}
