using System.Text.Json;
using StepAudio.Engine.Link;
using StepAudio.StandInServer;
using Xunit;

namespace StepAudio.Engine.Tests.Link;

public sealed class GpuServerClientStreamingTests : StandInTestBase
{
    [Fact]
    public async Task StreamChatAsync_WhenUserSendsAudioTokens_ThenStreamsTheDeterministicAnswerWordByWord()
    {
        using var client = new GpuServerClient(ClientOptions());
        string audio = AudioTokenText.FormatAll(Enumerable.Range(0, 125).Select(i => i % 2 == 0 ? i : 1024 + i).ToArray());

        List<string> deltas = await CollectAsync(client.StreamChatAsync([new ChatMessage(ChatMessage.Human, audio)]));

        Assert.Equal("I heard 125 audio tokens, about 3.0 seconds of speech.", string.Concat(deltas));
        Assert.Equal(["I", " heard", " 125", " audio", " tokens,", " about", " 3.0", " seconds", " of", " speech."], deltas);
        Assert.Equal(1, Server.CompletedGenerations);
    }

    [Fact]
    public async Task StreamChatAsync_WhenSent_ThenBodyUsesOpenAiRolesSystemPromptSamplingAndUnescapedTokens()
    {
        var options = ClientOptions(o => o.SystemPrompt = "Be brief.");
        using var client = new GpuServerClient(options);

        await CollectAsync(client.StreamChatAsync(
        [
            new ChatMessage(ChatMessage.Human, "what time is it"),
            new ChatMessage(ChatMessage.Assistant, "Noon."),
            new ChatMessage(ChatMessage.Human, "<audio_1><audio_1025>"),
        ]));

        string body = Assert.Single(Server.ChatRequestBodies);
        Assert.Contains("<audio_1><audio_1025>", body); // not \u003C-escaped on the uplink
        using JsonDocument json = JsonDocument.Parse(body);
        JsonElement root = json.RootElement;
        Assert.Equal("step-audio-chat", root.GetProperty("model").GetString());
        Assert.True(root.GetProperty("stream").GetBoolean());
        Assert.Equal(0.7, root.GetProperty("temperature").GetDouble());
        Assert.Equal(0.9, root.GetProperty("top_p").GetDouble());
        Assert.Equal(2048, root.GetProperty("max_tokens").GetInt32());
        string[] roles = root.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()!).ToArray();
        Assert.Equal(["system", "user", "assistant", "user"], roles);
        Assert.Equal("Be brief.", root.GetProperty("messages")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task StreamChatAsync_WhenRoleIsUnknown_ThenArgumentExceptionNamesIt()
    {
        using var client = new GpuServerClient(ClientOptions());

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => CollectAsync(client.StreamChatAsync([new ChatMessage("user", "hi")])));

        Assert.Contains("'user'", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(1)]
    public async Task StreamTtsAsync_WhenPromptHoldsTargetText_ThenReturnsTheExpectedIdsEvenWhenTokensSplitAcrossEvents(int chunkCharacters)
    {
        Server.Options.TtsChunkCharacters = chunkCharacters;
        using var client = new GpuServerClient(ClientOptions());
        const string target = "(高兴1) Hello, 世界!";
        int[] prompt = await TtsPromptAsync(client, target);

        List<int> ids = await CollectAsync(client.StreamTtsAsync(prompt));

        Assert.Equal(StandInModels.TtsAudioIds(target, 3), ids);
        Assert.Equal(target.EnumerateRunes().Count() * 3, ids.Count);
        Assert.All(ids, id => Assert.InRange(id, 0, AudioTokenText.MaxId));
    }

    [Fact]
    public async Task StreamTtsAsync_WhenMaxTokensCutsTheAnswer_ThenIdsEndAtTheLimitWithoutAnError()
    {
        using var client = new GpuServerClient(ClientOptions(o => o.TtsMaxTokens = 7));
        int[] prompt = await TtsPromptAsync(client, "Longer than seven tokens");

        List<int> ids = await CollectAsync(client.StreamTtsAsync(prompt));

        Assert.Equal(StandInModels.TtsAudioIds("Longer than seven tokens", 3)[..7], ids);
    }

    [Fact]
    public async Task StreamTtsAsync_WhenSent_ThenBodyAsksForSpecialTokensRawPromptIdsAndTheEotStop()
    {
        using var client = new GpuServerClient(ClientOptions());
        int[] prompt = await TtsPromptAsync(client, "Hi");

        await CollectAsync(client.StreamTtsAsync(prompt));

        using JsonDocument json = JsonDocument.Parse(Assert.Single(Server.CompletionRequestBodies));
        JsonElement root = json.RootElement;
        Assert.Equal("step-audio-tts", root.GetProperty("model").GetString());
        Assert.Equal(prompt, root.GetProperty("prompt").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.False(root.GetProperty("skip_special_tokens").GetBoolean());
        Assert.Equal(8192, root.GetProperty("max_tokens").GetInt32());
        Assert.Equal([3], root.GetProperty("stop_token_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TokenizeAsync_WhenCalled_ThenTheServerAddsSpecialTokensOnlyWhenAsked(bool addSpecialTokens)
    {
        using var client = new GpuServerClient(ClientOptions());

        int[] ids = await client.TokenizeAsync("\nhé", "step-audio-tts", addSpecialTokens);

        int[] text = [1010, 1104, 1000 + 0xC3, 1000 + 0xA9];
        Assert.Equal(addSpecialTokens ? [1, .. text] : text, ids);
        Assert.Contains($"\"add_special_tokens\":{(addSpecialTokens ? "true" : "false")}", Assert.Single(Server.TokenizeRequestBodies));
    }

    [Fact]
    public async Task StreamChatAsync_WhenApiKeyIsRequiredAndConfigured_ThenBearerIsAccepted()
    {
        Server.Options.RequireApiKey = "s3cret";
        using var client = new GpuServerClient(ClientOptions(o => o.ApiKey = "s3cret"));

        List<string> deltas = await CollectAsync(client.StreamChatAsync([new ChatMessage(ChatMessage.Human, "<audio_1>")]));

        Assert.StartsWith("I heard 1 audio tokens", string.Concat(deltas));
    }

    [Fact]
    public async Task StreamChatAsync_WhenApiKeyIsRequiredButMissing_ThenUnauthorizedWith401()
    {
        Server.Options.RequireApiKey = "s3cret";
        using var client = new GpuServerClient(ClientOptions());

        var ex = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync([new ChatMessage(ChatMessage.Human, "x")])));

        Assert.Equal(GpuServerErrorKind.Unauthorized, ex.Kind);
        Assert.Equal(401, ex.StatusCode);
        Assert.Contains("No API key is configured", ex.Message);
        Assert.Equal(0, Server.StartedGenerations);
    }

    [Fact]
    public async Task StreamChatAsync_WhenClientIsInjected_ThenItIsUsedAndNotDisposed()
    {
        using var http = new HttpClient();
        using (var client = new GpuServerClient(http, ClientOptions()))
        {
            Assert.NotEmpty(await CollectAsync(client.StreamChatAsync([new ChatMessage(ChatMessage.Human, "<audio_1>")])));
        }

        using HttpResponseMessage health = await http.GetAsync(new Uri(Server.BaseAddress, "health"));
        Assert.True(health.IsSuccessStatusCode);
    }
}
