using System.Text;
using StepAudio.Engine.Link;
using Xunit;

namespace StepAudio.Engine.Tests.Link;

public sealed class CompletionChunkParsingTests
{
    [Fact]
    public async Task ParseCompletionChunk_WhenChatDeltaHasEscapes_ThenTextIsUnescaped()
    {
        const string json = """{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Caf\u00e9 \"ok\"\n世界"},"logprobs":null,"finish_reason":null}]}""";

        using SseEventReader reader = await ReaderAtAsync(json);
        CompletionChunk chunk = reader.ParseCompletionChunk();

        Assert.True(chunk.HasChoice);
        Assert.Equal("Café \"ok\"\n世界", chunk.Text.ToString());
        Assert.Null(chunk.FinishReason);
    }

    [Fact]
    public async Task ParseCompletionChunk_WhenRoleOnlyDelta_ThenTextIsEmpty()
    {
        using SseEventReader reader = await ReaderAtAsync("""{"choices":[{"index":0,"delta":{"role":"assistant","content":null},"finish_reason":null}]}""");

        CompletionChunk chunk = reader.ParseCompletionChunk();

        Assert.True(chunk.HasChoice);
        Assert.Equal(0, chunk.Text.Length);
    }

    [Fact]
    public async Task ParseCompletionChunk_WhenCompletionTextAndFinishReason_ThenBothAreRead()
    {
        using SseEventReader reader = await ReaderAtAsync("""{"object":"text_completion","choices":[{"index":0,"text":"<audio_7>","logprobs":null,"finish_reason":"length","stop_reason":null}],"usage":null}""");

        CompletionChunk chunk = reader.ParseCompletionChunk();

        Assert.Equal("<audio_7>", chunk.Text.ToString());
        Assert.Equal("length", chunk.FinishReason);
    }

    [Fact]
    public async Task ParseCompletionChunk_WhenUsageChunkHasNoChoices_ThenHasChoiceIsFalse()
    {
        using SseEventReader reader = await ReaderAtAsync("""{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5}}""");

        CompletionChunk chunk = reader.ParseCompletionChunk();

        Assert.False(chunk.HasChoice);
        Assert.Equal(0, chunk.Text.Length);
    }

    [Fact]
    public async Task ParseCompletionChunk_WhenSecondChoiceFollows_ThenOnlyTheFirstIsUsed()
    {
        using SseEventReader reader = await ReaderAtAsync("""{"choices":[{"index":0,"text":"a"},{"index":1,"text":"b","finish_reason":"stop"}]}""");

        CompletionChunk chunk = reader.ParseCompletionChunk();

        Assert.Equal("a", chunk.Text.ToString());
        Assert.Null(chunk.FinishReason);
    }

    [Theory]
    [InlineData("""{"choices":[{"delta":{"content":"x"}""")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"choices":{"text":"x"}}""")]
    [InlineData("""{"choices":[{"text":5}]}""")]
    public async Task ParseCompletionChunk_WhenPayloadIsNotAChunk_ThenMalformedStreamWithPayload(string json)
    {
        using SseEventReader reader = await ReaderAtAsync(json);

        var ex = Assert.Throws<GpuServerException>(() => reader.ParseCompletionChunk());

        Assert.Equal(GpuServerErrorKind.MalformedStream, ex.Kind);
        Assert.Contains(json[..Math.Min(json.Length, 8)], ex.Message);
    }

    [Theory]
    [InlineData("""{"error":{"object":"error","message":"KV cache exhausted","type":"InternalServerError","code":500}}""")]
    [InlineData("""{"object":"error","message":"KV cache exhausted","type":"InternalServerError","param":null,"code":500}""")]
    public async Task ParseCompletionChunk_WhenServerPutsAnErrorInTheStream_ThenHttpErrorWithItsMessage(string json)
    {
        using SseEventReader reader = await ReaderAtAsync(json);

        var ex = Assert.Throws<GpuServerException>(() => reader.ParseCompletionChunk());

        Assert.Equal(GpuServerErrorKind.HttpError, ex.Kind);
        Assert.Equal(500, ex.StatusCode);
        Assert.Contains("KV cache exhausted", ex.Message);
    }

    private static async Task<SseEventReader> ReaderAtAsync(string json)
    {
        var reader = new SseEventReader(new MemoryStream(Encoding.UTF8.GetBytes($"data: {json}\n\n")));
        Assert.True(await reader.ReadEventAsync());
        return reader;
    }
}
