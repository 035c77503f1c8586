using System.Text;
using System.Text.Json;
using StepAudio.Engine.Link;
using StepAudio.Engine.Link.Tools;
using StepAudio.Engine.Tests.Link;
using StepAudio.StandInServer;

namespace StepAudio.Engine.Tests.Tools;

public sealed class ToolCallStreamingTests : StandInTestBase
{
    private static readonly ChatToolSet Tools = new(
    [
        new ToolDefinition("get_weather", "Weather now.", """{"type": "object", "properties": {"location": {"type": "string"}}}"""),
        new ToolDefinition("set_timer", "A timer.", """{"type": "object", "properties": {"duration_seconds": {"type": "integer"}}}"""),
    ]);

    [Fact]
    public void Parse_WhenFragmentsOfTwoCallsInterleave_AssemblerRebuildsEachCallByIndex()
    {
        var chunk = new CompletionChunk();
        var assembler = new ToolCallAssembler();
        string[] events =
        [
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}""",
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"locat"}}]},"finish_reason":null}]}""",
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"set_timer","arguments":"{\"duration_"}}]},"finish_reason":null}]}""",
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ion\": \"Zürich\"}"}},{"index":1,"function":{"arguments":"seconds\": 60}"}}]},"finish_reason":null}]}""",
            """{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
        ];

        string? finish = null;
        foreach (string json in events)
        {
            CompletionChunkParser.Parse(Encoding.UTF8.GetBytes(json), chunk);
            assembler.Add(chunk);
            finish = chunk.FinishReason ?? finish;
        }

        IReadOnlyList<ToolCall> calls = assembler.Build();
        Assert.Equal("tool_calls", finish);
        Assert.Equal(
            [new ToolCall("call_a", "get_weather", """{"location": "Zürich"}"""), new ToolCall("call_b", "set_timer", """{"duration_seconds": 60}""")],
            calls);
    }

    [Theory]
    [InlineData("""{"choices":[{"delta":{"tool_calls":{"index":0}}}]}""", "'choices[0].delta.tool_calls' is not an array")]
    [InlineData("""{"choices":[{"delta":{"tool_calls":[{"index":"zero"}]}}]}""", "'tool_calls[0].index' is not an integer")]
    [InlineData("""{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":{"a":1}}}]}}]}""", "'tool_calls[0].function.arguments' is not a string")]
    public void Parse_WhenToolCallsAreMalformed_ThrowsMalformedStreamNamingTheField(string json, string expected)
    {
        var ex = Assert.Throws<GpuServerException>(() => CompletionChunkParser.Parse(Encoding.UTF8.GetBytes(json), new CompletionChunk()));

        Assert.Equal(GpuServerErrorKind.MalformedStream, ex.Kind);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WhenWarm_AllocatesNothingPerArgumentFragment()
    {
        byte[] first = Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}""");
        byte[] fragment = Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"location\": \"Paris\"}"}}]},"finish_reason":null}]}""");
        var chunk = new CompletionChunk();
        var assembler = new ToolCallAssembler();
        for (int i = 0; i < 50; i++)
        {
            assembler.Reset();
            CompletionChunkParser.Parse(first, chunk);
            assembler.Add(chunk);
            CompletionChunkParser.Parse(fragment, chunk);
            assembler.Add(chunk);
        }

        long allocated = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            // The first pass grows the assembler's buffers to a ten-fragment call; the second must reuse them.
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                if (i % 10 == 0)
                {
                    assembler.Reset();
                }

                CompletionChunkParser.Parse(fragment, chunk);
                assembler.Add(chunk);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Chat_WhenToolsAndToolTurnsAreGiven_WritesToolsChoiceCallsAndResultsInOpenAiShape()
    {
        var call = new ToolCall("call_7", "get_weather", """{"location":"Paris"}""");
        ChatMessage[] messages =
        [
            new ChatMessage(ChatMessage.Human, "<audio_1><audio_2>"),
            ChatMessage.AssistantToolCalls("Let me check.", [call]),
            ChatMessage.ToolResult("call_7", """{"temperature_c":21.5}"""),
        ];

        using var body = JsonDocument.Parse(GpuServerRequests.Chat(new GpuServerOptions { BaseAddress = new Uri("http://127.0.0.1/") }, messages, Tools, ToolChoice.None));
        JsonElement root = body.RootElement;

        Assert.Equal("none", root.GetProperty("tool_choice").GetString());
        JsonElement tool = root.GetProperty("tools")[1];
        Assert.Equal("function", tool.GetProperty("type").GetString());
        Assert.Equal("set_timer", tool.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("integer", tool.GetProperty("function").GetProperty("parameters").GetProperty("properties").GetProperty("duration_seconds").GetProperty("type").GetString());
        JsonElement assistant = root.GetProperty("messages")[2];
        Assert.Equal("assistant", assistant.GetProperty("role").GetString());
        JsonElement sent = assistant.GetProperty("tool_calls")[0];
        Assert.Equal("call_7", sent.GetProperty("id").GetString());
        Assert.Equal("""{"location":"Paris"}""", sent.GetProperty("function").GetProperty("arguments").GetString());
        JsonElement result = root.GetProperty("messages")[3];
        Assert.Equal("tool", result.GetProperty("role").GetString());
        Assert.Equal("call_7", result.GetProperty("tool_call_id").GetString());
        Assert.Equal("""{"temperature_c":21.5}""", result.GetProperty("content").GetString());
    }

    [Fact]
    public void Chat_WhenNoToolsAreGiven_SendsNoToolFields()
    {
        using var body = JsonDocument.Parse(GpuServerRequests.Chat(new GpuServerOptions { BaseAddress = new Uri("http://127.0.0.1/") }, [new ChatMessage(ChatMessage.Human, "hi")]));

        Assert.False(body.RootElement.TryGetProperty("tools", out _));
        Assert.False(body.RootElement.TryGetProperty("tool_choice", out _));
    }

    [Fact]
    public async Task StreamChatAsync_WhenTheModelCallsAToolAfterSomeText_YieldsTheTextAndAssemblesTheCall()
    {
        Server.Options.ToolArgumentFragmentCharacters = 3;
        Server.Options.ToolScript.Add(new StandInToolRound("Let me check.", new StandInToolCall("get_weather", """{"location": "Lisbon"}""")));
        using var client = new GpuServerClient(ClientOptions());
        var assembler = new ToolCallAssembler();

        List<string> text = await CollectAsync(client.StreamChatAsync([new ChatMessage(ChatMessage.Human, "weather?")], Tools, ToolChoice.Auto, assembler));

        Assert.Equal("Let me check.", string.Concat(text));
        Assert.Equal([new ToolCall("call_0_0", "get_weather", """{"location": "Lisbon"}""")], assembler.Build());
        using var request = JsonDocument.Parse(Server.ChatRequestBodies[^1]);
        Assert.Equal("auto", request.RootElement.GetProperty("tool_choice").GetString());
        Assert.Equal(2, request.RootElement.GetProperty("tools").GetArrayLength());
    }

    [Fact]
    public void ToolDefinition_WhenSchemaIsNotAnObject_ThrowsNamingTheTool()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ToolDefinition("get_weather", "Weather.", "[1, 2]"));

        Assert.Contains("get_weather", ex.Message, StringComparison.Ordinal);
    }
}
