using System.Text;
using StepAudio.Engine.Link;
using StepAudio.Engine.Tests.Fakes;
using Xunit;

namespace StepAudio.Engine.Tests.Link;

public sealed class SseEventReaderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task ReadEventAsync_WhenLinesArriveSplitAcrossReads_ThenEventsAreWhole(int readSize)
    {
        const string body = "data: {\"a\":1}\n\ndata: second\n\n: keep-alive\n\ndata: [DONE]\n\n";

        List<string> events = await ReadAllAsync(body, readSize);

        Assert.Equal(["{\"a\":1}", "second", "[DONE]"], events);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    [InlineData("\n")]
    public async Task ReadEventAsync_WhenLinesEndInCrLfCrOrLf_ThenAllParseAlike(string lineEnd)
    {
        string body = $"data: one{lineEnd}{lineEnd}data: two{lineEnd}data: three{lineEnd}{lineEnd}";

        foreach (int readSize in new[] { 1, 2, 5, 100 })
        {
            List<string> events = await ReadAllAsync(body, readSize);
            Assert.Equal(["one", "two\nthree"], events);
        }
    }

    [Fact]
    public async Task ReadEventAsync_WhenCrEndsOneReadAndLfStartsTheNext_ThenNoEmptyLineIsInvented()
    {
        // "data: a\r" | "\ndata: b\r\n\r\n": the LF belongs to the CR before it, so "a" and "b" are one event.
        byte[] bytes = Encoding.UTF8.GetBytes("data: a\r\ndata: b\r\n\r\n");
        using var reader = new SseEventReader(new ChunkedReadStream(bytes, 8, 100));

        Assert.True(await reader.ReadEventAsync());
        Assert.Equal("a\nb", Encoding.UTF8.GetString(reader.Data));
        Assert.False(await reader.ReadEventAsync());
    }

    [Fact]
    public async Task ReadEventAsync_WhenCommentsAndOtherFieldsAppear_ThenOnlyDataCounts()
    {
        const string body = ": ping\nevent: message\nid: 7\nretry: 1000\ndata: payload\n: another comment\n\n:only a comment\n\n";

        List<string> events = await ReadAllAsync(body, 3);

        Assert.Equal(["payload"], events);
    }

    [Fact]
    public async Task ReadEventAsync_WhenDataHasNoSpaceOrNoColon_ThenValueFollowsTheSpecRules()
    {
        const string body = "data:tight\n\ndata:  two spaces\n\ndata\ndata: x\n\n";

        List<string> events = await ReadAllAsync(body, 4);

        Assert.Equal(["tight", " two spaces", "\nx"], events);
    }

    [Fact]
    public async Task ReadEventAsync_WhenDoneMarkerArrives_ThenIsDoneIsSetOnlyForIt()
    {
        using var reader = new SseEventReader(new MemoryStream(Encoding.UTF8.GetBytes("data: [DONE] \n\ndata: [DONE]\n\n")));

        Assert.True(await reader.ReadEventAsync());
        Assert.False(reader.IsDone);
        Assert.True(await reader.ReadEventAsync());
        Assert.True(reader.IsDone);
        Assert.False(await reader.ReadEventAsync());
        Assert.Equal(2, reader.EventCount);
    }

    [Fact]
    public async Task ReadEventAsync_WhenStreamEndsInsideAnEvent_ThenThatEventIsDiscarded()
    {
        List<string> events = await ReadAllAsync("data: whole\n\ndata: cut off\n", 5);

        Assert.Equal(["whole"], events);
    }

    [Fact]
    public async Task ReadEventAsync_WhenStreamStartsWithByteOrderMark_ThenItIsSkipped()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("data: x\n\n")];
        using var reader = new SseEventReader(new ChunkedReadStream(bytes, 1));

        Assert.True(await reader.ReadEventAsync());
        Assert.Equal("x", Encoding.UTF8.GetString(reader.Data));
    }

    [Fact]
    public async Task ReadEventAsync_WhenEventIsLargerThanTheFirstBuffer_ThenBuffersGrow()
    {
        string big = new('x', 100_000);

        List<string> events = await ReadAllAsync($"data: {big}\ndata: {big}\n\ndata: after\n\n", 9000);

        Assert.Equal([big + "\n" + big, "after"], events);
    }

    [Fact]
    public async Task ReadEventAsync_WhenALineExceedsTheLimit_ThenMalformedStream()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("data: " + new string('y', 5000));
        using var reader = new SseEventReader(new MemoryStream(bytes), maxEventBytes: 1024);

        var ex = await Assert.ThrowsAsync<GpuServerException>(() => reader.ReadEventAsync().AsTask());

        Assert.Equal(GpuServerErrorKind.MalformedStream, ex.Kind);
        Assert.Contains("1024", ex.Message);
    }

    private static async Task<List<string>> ReadAllAsync(string body, int readSize)
    {
        using var reader = new SseEventReader(new ChunkedReadStream(Encoding.UTF8.GetBytes(body), readSize));
        var events = new List<string>();
        while (await reader.ReadEventAsync())
        {
            events.Add(Encoding.UTF8.GetString(reader.Data));
        }

        return events;
    }
}
