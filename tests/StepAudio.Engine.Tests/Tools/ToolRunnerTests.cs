using System.Text.Json;
using StepAudio.Engine.Link;
using StepAudio.Engine.Link.Tools;
using StepAudio.Engine.Tests.Tools.Fakes;
using StepAudio.Engine.Tools;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Engine.Tests.Tools;

public sealed class ToolRunnerTests
{
    [Fact]
    public async Task RunAsync_WhenTheToolThrows_ReturnsAFailureTheModelCanRead()
    {
        var broken = new ScriptedTool("broken", (_, _) => throw new InvalidOperationException("disk on fire"));
        var runner = new ToolRunner([broken], new ToolsOptions());

        ToolResult result = await runner.RunAsync(new ToolCall("c1", "broken", "{}"), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("disk on fire", Error(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WhenTheToolReturnsSomethingThatIsNotJson_ReturnsAFailure()
    {
        var garbage = new ScriptedTool("garbage", (_, _) => Task.FromResult(new ToolResult(true, "<html>oops", "Done.")));
        var runner = new ToolRunner([garbage], new ToolsOptions());

        ToolResult result = await runner.RunAsync(new ToolCall("c1", "garbage", "{}"), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("not JSON", Error(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WhenTheToolIgnoresItsTokenAndHangs_ReturnsATimeoutWhenTheClockPassesTheLimit()
    {
        var never = new TaskCompletionSource<ToolResult>();
        var stuck = new ScriptedTool("stuck", (_, _) => never.Task);
        var clock = new ManualTimeProvider();
        var runner = new ToolRunner([stuck], new ToolsOptions { CallTimeout = TimeSpan.FromSeconds(8) }, timeProvider: clock);

        Task<ToolResult> running = runner.RunAsync(new ToolCall("c1", "stuck", "{}"), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(7));
        Assert.False(running.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        ToolResult result = await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(result.Succeeded);
        Assert.Contains("did not finish within 8 seconds", Error(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WhenACallCompletes_RaisesCallCompletedWithTheResult()
    {
        var ok = new ScriptedTool("ok", (_, _) => Task.FromResult(ToolResult.Success(new { fine = true }, "Fine.")));
        var runner = new ToolRunner([ok], new ToolsOptions());
        var seen = new List<ToolCallCompletedEventArgs>();
        runner.CallCompleted += (_, e) => seen.Add(e);

        await runner.RunAsync(new ToolCall("c9", "ok", ""), CancellationToken.None);

        ToolCallCompletedEventArgs done = Assert.Single(seen);
        Assert.Equal("c9", done.Call.Id);
        Assert.True(done.Result.Succeeded);
        Assert.Equal("{}", Assert.Single(ok.Calls));
    }

    [Fact]
    public void Constructor_WhenTwoToolsShareAName_Throws()
    {
        var a = new ScriptedTool("same", (_, _) => Task.FromResult(ToolResult.Success(1, "1")));
        var b = new ScriptedTool("same", (_, _) => Task.FromResult(ToolResult.Success(2, "2")));

        var ex = Assert.Throws<ArgumentException>(() => new ToolRunner([a, b], new ToolsOptions()));

        Assert.Contains("'same'", ex.Message, StringComparison.Ordinal);
    }

    private static string Error(ToolResult result)
    {
        using var content = JsonDocument.Parse(result.Content);
        return content.RootElement.GetProperty("error").GetString()!;
    }
}
