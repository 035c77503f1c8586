using System.Text.Json;
using StepAudio.Appliance.Tools.Weather;
using StepAudio.Engine.Link;
using StepAudio.Engine.Tests.Link;
using StepAudio.Engine.Tests.Tools.Fakes;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Tools.Weather;
using StepAudio.StandInServer;

namespace StepAudio.Engine.Tests.Tools;

/// <summary>Tool rounds against the stand-in server: the model asks, the device runs the tool and sends the result back.</summary>
public sealed class ToolConversationTests : StandInTestBase, IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task StreamAsync_WhenTheModelAsksForWeather_CallsTheWeatherServiceAndSpeaksTheAnswerToItsResult()
    {
        Server.Options.ToolScript.Add(new StandInToolRound("Let me check.", new StandInToolCall("get_weather", """{"location": "Hong Kong"}""")));
        using var client = new GpuServerClient(ClientOptions());
        var conversation = Conversation(new ToolsOptions());

        string spoken = string.Concat(await CollectAsync(conversation.StreamAsync(client, Question(), Task.CompletedTask)));

        Assert.Equal(["Hong Kong"], Server.WeatherLocations);
        Assert.Equal(2, Server.ChatRequestBodies.Count);
        using var followUp = JsonDocument.Parse(Server.ChatRequestBodies[1]);
        JsonElement messages = followUp.RootElement.GetProperty("messages");
        JsonElement asked = messages[messages.GetArrayLength() - 2];
        Assert.Equal("assistant", asked.GetProperty("role").GetString());
        Assert.Equal("Let me check.", asked.GetProperty("content").GetString());
        Assert.Equal("call_0_0", asked.GetProperty("tool_calls")[0].GetProperty("id").GetString());
        JsonElement result = messages[messages.GetArrayLength() - 1];
        Assert.Equal("tool", result.GetProperty("role").GetString());
        Assert.Equal("call_0_0", result.GetProperty("tool_call_id").GetString());
        using var content = JsonDocument.Parse(result.GetProperty("content").GetString()!);
        Assert.Equal("Hong Kong", content.RootElement.GetProperty("location").GetString());
        Assert.Equal(21.5, content.RootElement.GetProperty("temperature_c").GetDouble());
        Assert.Equal("partly cloudy", content.RootElement.GetProperty("condition").GetString());
        Assert.Equal("Let me check. " + StandInModels.ToolAnswer([result.GetProperty("content").GetString()!]), spoken);
    }

    [Fact]
    public async Task StreamAsync_WhenTheWeatherServiceIsTooSlow_TellsTheModelItTimedOutAndSpeaksThat()
    {
        Server.Options.WeatherDelay = TimeSpan.FromSeconds(30);
        Server.Options.ToolScript.Add(new StandInToolRound(null, new StandInToolCall("get_weather", """{"location": "Oslo"}""")));
        using var client = new GpuServerClient(ClientOptions());
        var conversation = Conversation(new ToolsOptions { Weather = { Timeout = TimeSpan.FromMilliseconds(200) } });

        string spoken = string.Concat(await CollectAsync(conversation.StreamAsync(client, Question(), Task.CompletedTask)).WaitAsync(WaitLimit));

        string toolContent = LastToolContent(Server.ChatRequestBodies[1]);
        using var content = JsonDocument.Parse(toolContent);
        Assert.Contains("did not answer within 200 ms", content.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(StandInModels.ToolAnswer([toolContent]), spoken);
    }

    [Fact]
    public async Task StreamAsync_WhenAToolHangsPastTheCallTimeout_AnswersTheModelWithATimeoutError()
    {
        var hanging = new ScriptedTool("get_weather", async (_, _) =>
        {
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
            return ToolResult.Success(new { }, "never");
        });
        Server.Options.ToolScript.Add(new StandInToolRound(null, new StandInToolCall("get_weather", "{}")));
        using var client = new GpuServerClient(ClientOptions());
        var conversation = new ToolConversation(new ToolRunner([hanging], new ToolsOptions { CallTimeout = TimeSpan.FromMilliseconds(100) }));

        await CollectAsync(conversation.StreamAsync(client, Question(), Task.CompletedTask)).WaitAsync(WaitLimit);

        using var content = JsonDocument.Parse(LastToolContent(Server.ChatRequestBodies[1]));
        Assert.Contains("did not finish within 0.1 seconds", content.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_WhenTheServerFailsAfterTheToolRan_SpeaksTheToolsOwnSentenceInstead()
    {
        StandInGpuServer server = Server;
        var timer = new ScriptedTool("set_timer", (_, _) =>
        {
            // The tool did its work; then the GPU server goes away before it can be told.
            server.Options.FailWithStatus = 503;
            return Task.FromResult(ToolResult.Success(new { id = "1" }, "Your timer for 5 minutes is set."));
        });
        Server.Options.ToolScript.Add(new StandInToolRound(null, new StandInToolCall("set_timer", """{"duration_seconds": 300}""")));
        using var client = new GpuServerClient(ClientOptions());
        var conversation = new ToolConversation(new ToolRunner([timer], new ToolsOptions()));

        List<string> spoken = await CollectAsync(conversation.StreamAsync(client, Question(), Task.CompletedTask)).WaitAsync(WaitLimit);

        Assert.Equal(["Your timer for 5 minutes is set."], spoken);
        Assert.Single(timer.Calls);
    }

    [Theory]
    [InlineData("launch_rockets", "{}", "There is no tool named 'launch_rockets'")]
    [InlineData("get_weather", "{\"location\": ", "are not valid JSON")]
    [InlineData("get_weather", "[\"Paris\"]", "must be a JSON object")]
    [InlineData("get_weather", "{\"location\": 42}", "'location' must be a string")]
    public async Task StreamAsync_WhenTheCallIsUnknownOrMalformed_AnswersTheModelWithAnError(string name, string arguments, string expected)
    {
        Server.Options.ToolScript.Add(new StandInToolRound(null, new StandInToolCall(name, arguments)));
        using var client = new GpuServerClient(ClientOptions());

        await CollectAsync(Conversation(new ToolsOptions()).StreamAsync(client, Question(), Task.CompletedTask)).WaitAsync(WaitLimit);

        using var content = JsonDocument.Parse(LastToolContent(Server.ChatRequestBodies[1]));
        Assert.Contains(expected, content.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(Server.WeatherLocations);
    }

    [Fact]
    public async Task StreamAsync_WhenTheModelKeepsCallingTools_StopsAfterMaxRoundsWithToolChoiceNone()
    {
        var counter = new ScriptedTool("count", (_, _) => Task.FromResult(ToolResult.Success(new { n = 1 }, "One.")));
        for (int i = 0; i < 5; i++)
        {
            Server.Options.ToolScript.Add(new StandInToolRound(null, new StandInToolCall("count", "{}")));
        }

        using var client = new GpuServerClient(ClientOptions());
        var conversation = new ToolConversation(new ToolRunner([counter], new ToolsOptions { MaxRounds = 2 }));

        string spoken = string.Concat(await CollectAsync(conversation.StreamAsync(client, Question(), Task.CompletedTask)).WaitAsync(WaitLimit));

        Assert.Equal(2, counter.Calls.Count);
        Assert.Equal(3, Server.ChatRequestBodies.Count);
        using var last = JsonDocument.Parse(Server.ChatRequestBodies[2]);
        Assert.Equal("none", last.RootElement.GetProperty("tool_choice").GetString());
        Assert.StartsWith("The tool said:", spoken, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_WhenToolsAreHeld_StreamsTextButRunsNoToolUntilReleased()
    {
        var timer = new ScriptedTool("set_timer", (_, _) => Task.FromResult(ToolResult.Success(new { id = "1" }, "Set.")));
        Server.Options.ToolScript.Add(new StandInToolRound("Okay.", new StandInToolCall("set_timer", """{"duration_seconds": 60}""")));
        using var client = new GpuServerClient(ClientOptions());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var text = new ToolConversation(new ToolRunner([timer], new ToolsOptions()))
            .StreamAsync(client, Question(), release.Task).GetAsyncEnumerator();

        Assert.True(await text.MoveNextAsync().AsTask().WaitAsync(WaitLimit));
        Assert.Equal("Okay.", text.Current);
        Assert.True(await text.MoveNextAsync().AsTask().WaitAsync(WaitLimit));
        Assert.Equal(" ", text.Current);
        ValueTask<bool> next = text.MoveNextAsync();
        await Server.WaitForCompletedAsync(1, WaitLimit);
        Assert.False(next.IsCompleted);
        Assert.Empty(timer.Calls);

        release.SetResult();
        Assert.True(await next.AsTask().WaitAsync(WaitLimit));
        Assert.Single(timer.Calls);
    }

    private ToolConversation Conversation(ToolsOptions options)
    {
        options.Weather.UrlTemplate = Server.WeatherUrlTemplate;
        var weather = new GetWeatherTool(new HttpWeatherProvider(_http, options.Weather), options.Weather);
        return new ToolConversation(new ToolRunner([weather], options));
    }

    private static ChatMessage[] Question() => [new ChatMessage(ChatMessage.Human, "<audio_1><audio_1030><audio_2>")];

    private static string LastToolContent(string body)
    {
        using var request = JsonDocument.Parse(body);
        JsonElement messages = request.RootElement.GetProperty("messages");
        JsonElement last = messages[messages.GetArrayLength() - 1];
        Assert.Equal("tool", last.GetProperty("role").GetString());
        return last.GetProperty("content").GetString()!;
    }
}
