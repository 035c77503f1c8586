using System.Text.Json;
using StepAudio.Appliance.Storage;
using StepAudio.Engine.Link;
using StepAudio.Engine.Tests.Link;
using StepAudio.Engine.Tests.Tools.Fakes;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Tools.Timers;
using StepAudio.StandInServer;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Engine.Tests.Tools;

public sealed class TimerServiceTests : StandInTestBase, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-timers-{Guid.NewGuid():N}");
    private readonly ManualTimeProvider _clock = new();
    private readonly RecordingOutput _output = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task SetTimerTool_WhenCalledThroughTheModel_PersistsAndRingsAfterRestartWithTheServerStopped()
    {
        Server.Options.ToolScript.Add(new StandInToolRound(null, new StandInToolCall("set_timer", """{"duration_seconds": 300, "label": "pasta"}""")));
        await using (var timers = Service())
        {
            timers.Start();
            using var client = new GpuServerClient(ClientOptions());
            var conversation = new ToolConversation(new ToolRunner([new SetTimerTool(timers)], new ToolsOptions()));
            await CollectAsync(conversation.StreamAsync(client, [new ChatMessage(ChatMessage.Human, "pasta timer")], Task.CompletedTask)).WaitAsync(WaitLimit);
        }

        await Server.DisposeAsync();
        using (var stored = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_dir, "timers.json"))))
        {
            JsonElement timer = stored.RootElement.GetProperty("timers")[0];
            Assert.Equal("pasta", timer.GetProperty("label").GetString());
            Assert.Equal(300, timer.GetProperty("duration_seconds").GetDouble());
        }

        // A restart: a new service reads the file; nothing rings before the timer is due.
        await using var restarted = Service();
        var rang = new List<TimerEntry>();
        restarted.TimerRang += (_, e) => rang.Add(e.Timer);
        restarted.Start();
        _clock.Advance(TimeSpan.FromSeconds(299));
        Assert.Empty(rang);
        Assert.Equal(0, _output.WriteCount);

        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("pasta", Assert.Single(rang).Label);
        Assert.True(restarted.IsRinging);
        Assert.Equal(Chime.Render(_output.SampleRate), _output.Write(0));
        Assert.Empty(restarted.List());
        Assert.Empty(new TimerStore(_dir, AtomicFileWriter.Instance).Load());
    }

    [Fact]
    public async Task StopRinging_WhenAPersonStopsIt_EndsTheChimeAndReportsWhy()
    {
        await using var timers = Service();
        var stopped = new List<string>();
        timers.RingingStopped += (_, e) => stopped.Add(e.Reason);
        timers.Start();
        timers.Set(TimeSpan.FromSeconds(10), "tea");
        _clock.Advance(TimeSpan.FromSeconds(15));
        int chimes = _output.WriteCount;
        Assert.True(chimes >= 2, $"{chimes} chimes in the first 5 s");

        Assert.True(timers.StopRinging("wake_word"));
        await timers.RingTask.WaitAsync(WaitLimit);
        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(["wake_word"], stopped);
        Assert.False(timers.IsRinging);
        Assert.Equal(chimes, _output.WriteCount);
        Assert.False(timers.StopRinging("mute"));
    }

    [Fact]
    public async Task Ringing_WhenNobodyStopsIt_EndsAtTheRingLimit()
    {
        await using var timers = Service(new TimerOptions { RingLimit = TimeSpan.FromSeconds(20), ChimeGap = TimeSpan.FromSeconds(1) });
        var stopped = new List<string>();
        timers.RingingStopped += (_, e) => stopped.Add(e.Reason);
        timers.Start();
        timers.Set(TimeSpan.FromSeconds(1), null);

        _clock.Advance(TimeSpan.FromSeconds(60));
        await timers.RingTask.WaitAsync(WaitLimit);

        Assert.Equal(["limit"], stopped);
        Assert.False(timers.IsRinging);
        // One chime (0.9 s) plus a 1 s gap per cycle over 20 s.
        Assert.InRange(_output.WriteCount, 10, 11);
    }

    [Fact]
    public async Task Start_WhenTimersFellDueWhileOff_RingsTheRecentOneAndReportsTheOldOneAsMissed()
    {
        DateTimeOffset now = _clock.GetUtcNow();
        new TimerStore(_dir, AtomicFileWriter.Instance).Save(
        [
            new TimerEntry("3", "eggs", now - TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)),
            new TimerEntry("4", "laundry", now - TimeSpan.FromHours(3), TimeSpan.FromMinutes(40)),
            new TimerEntry("5", "bread", now + TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(45)),
        ]);
        await using var timers = Service(new TimerOptions { MissedGrace = TimeSpan.FromMinutes(10) });
        var rang = new List<string>();
        var missed = new List<string>();
        timers.TimerRang += (_, e) => rang.Add(e.Timer.Label);
        timers.TimerMissed += (_, e) => missed.Add(e.Timer.Label);

        timers.Start();

        Assert.Equal(["eggs"], rang);
        Assert.Equal(["laundry"], missed);
        Assert.True(timers.IsRinging);
        Assert.Equal(["bread"], timers.List().Select(t => t.Label));
        Assert.Equal(["5"], new TimerStore(_dir, AtomicFileWriter.Instance).Load().Select(t => t.Id));
        Assert.Equal("6", timers.Set(TimeSpan.FromMinutes(1), null).Id);
    }

    [Fact]
    public async Task Start_WhenTheTimerFileIsDamaged_MovesItAsideAndStartsEmpty()
    {
        Directory.CreateDirectory(_dir);
        await File.WriteAllTextAsync(Path.Combine(_dir, "timers.json"), "{\"timers\": [{\"id\": 1}]}");
        await using var timers = Service();

        timers.Start();

        Assert.Empty(timers.List());
        Assert.True(File.Exists(Path.Combine(_dir, "timers.json.unreadable")));
    }

    [Fact]
    public void Load_WhenAnEntryLacksADueTime_ThrowsNamingTheFileAndEntry()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "timers.json"), "{\"timers\": [{\"id\": \"1\", \"due_at\": \"soon\"}]}");

        var ex = Assert.Throws<StepAudio.Engine.Tools.State.ToolStateException>(() => new TimerStore(_dir, AtomicFileWriter.Instance).Load());

        Assert.Contains("timers.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("timers[0]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimerTools_WhenListedAndCancelledByLabel_ReportRemainingTimeAndForgetTheTimer()
    {
        await using var timers = Service();
        var rang = new List<string>();
        timers.TimerRang += (_, e) => rang.Add(e.Timer.Label);
        timers.Start();
        timers.Set(TimeSpan.FromMinutes(10), "pasta");
        timers.Set(TimeSpan.FromMinutes(3), "tea");
        _clock.Advance(TimeSpan.FromMinutes(1));

        ToolResult list = await new ListTimersTool(timers).InvokeAsync(Args("{}"), CancellationToken.None);
        ToolResult cancel = await new CancelTimerTool(timers).InvokeAsync(Args("""{"label": "PASTA"}"""), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(20));

        using var listed = JsonDocument.Parse(list.Content);
        JsonElement first = listed.RootElement.GetProperty("timers")[0];
        Assert.Equal("tea", first.GetProperty("label").GetString());
        Assert.Equal(120, first.GetProperty("remaining_seconds").GetInt64());
        Assert.Equal("2 timers are running; the next one ends in 2 minutes.", list.Spoken);
        Assert.True(cancel.Succeeded);
        Assert.Empty(timers.List());
        Assert.Equal(["tea"], rang);
    }

    [Fact]
    public async Task SetTimerTool_WhenTheDurationIsTooLong_RefusesNamingTheLimit()
    {
        await using var timers = Service(new TimerOptions { MaxDuration = TimeSpan.FromHours(1) });
        timers.Start();

        var ex = await Assert.ThrowsAsync<ToolArgumentException>(() => new SetTimerTool(timers).InvokeAsync(Args("""{"duration_seconds": 7200}"""), CancellationToken.None));

        Assert.Contains("3600 seconds", ex.Message, StringComparison.Ordinal);
        Assert.Empty(timers.List());
    }

    private TimerService Service(TimerOptions? options = null) =>
        new(new TimerStore(_dir, AtomicFileWriter.Instance), _output, options ?? new TimerOptions(), _clock);

    private static JsonElement Args(string json) => JsonDocument.Parse(json).RootElement;
}
