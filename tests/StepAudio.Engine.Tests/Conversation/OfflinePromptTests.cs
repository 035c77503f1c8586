using StepAudio.Appliance.Storage;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tests.Conversation.Fakes;
using StepAudio.Engine.Tests.Vocoder.Fakes;

namespace StepAudio.Engine.Tests.Conversation;

public sealed class OfflinePromptTests(ContractVocoderDirectory models) : IClassFixture<ContractVocoderDirectory>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-prompts-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    public enum Fault
    {
        Http500,
        Unreachable,
        SlowFirstToken,
        DropMidReply,
    }

    [Theory]
    [InlineData(Fault.Http500, OfflinePromptKind.ServerError)]
    [InlineData(Fault.Unreachable, OfflinePromptKind.ServerUnreachable)]
    [InlineData(Fault.SlowFirstToken, OfflinePromptKind.ServerTooSlow)]
    [InlineData(Fault.DropMidReply, OfflinePromptKind.ConnectionLost)]
    public async Task ReplyAsync_WhenTheLinkFailsTheTurn_ThenTheMatchingPromptPlaysAndTheNextTurnIsAnswered(Fault fault, OfflinePromptKind expected)
    {
        await using var rig = await CoordinatorRig.CreateAsync(models.Root);
        var prompts = new OfflinePrompts(Options(), rig.Renderer(), AtomicFileWriter.Instance);
        Assert.Equal(4, await prompts.PrepareAsync(CancellationToken.None));
        rig.Start(prompts: prompts);

        await Inject(rig, fault);
        await rig.TurnAsync(1, groups: 20);

        var played = Assert.IsType<OfflinePromptPlayed>(await rig.Events.WaitForAsync(PipelineEventTypes.OfflinePrompt, CoordinatorRig.WaitLimit));
        Assert.Equal(expected, played.Kind);
        Assert.Equal(PromptSource.OwnVoice, played.Source);
        Assert.Equal(prompts.ClipFor(expected, rig.Vocoder.SampleRate).Samples, rig.Output.CompletedReplies[^1]);
        Assert.Equal(1, rig.Coordinator.FailedTurns);
        Assert.Equal(0, rig.Coordinator.Context.TurnCount);

        // Still listening: once the server is back, the next turn is answered as usual.
        if (fault != Fault.Unreachable)
        {
            rig.Server.Options.FailWithStatus = 0;
            rig.Server.Options.FirstTokenDelay = TimeSpan.Zero;
            rig.Server.Options.DropAfterTokens = -1;
            rig.Client.Options.FirstTokenTimeout = TimeSpan.FromSeconds(10);
            await rig.TurnAsync(2, groups: 20);
            Assert.Equal(1, rig.Coordinator.CompletedTurns);
            Assert.Single(rig.Events.Events, e => e.Type == PipelineEventTypes.OfflinePrompt);
        }
    }

    [Fact]
    public async Task PrepareAsync_WhenClipsWereRenderedInAnEarlierRun_ThenTheyComeFromTheCacheWithoutTheServer()
    {
        await using var rig = await CoordinatorRig.CreateAsync(models.Root);
        var first = new OfflinePrompts(Options(), rig.Renderer(), AtomicFileWriter.Instance);
        await first.PrepareAsync(CancellationToken.None);
        var rendered = first.ClipFor(OfflinePromptKind.ConnectionLost, rig.Vocoder.SampleRate);
        var ttsRequests = rig.Server.CompletionRequestBodies.Count;
        await rig.StopServerAsync();

        var afterRestart = new OfflinePrompts(Options(), rig.Renderer(), AtomicFileWriter.Instance);
        var ready = await afterRestart.PrepareAsync(CancellationToken.None);
        var cached = afterRestart.ClipFor(OfflinePromptKind.ConnectionLost, rig.Vocoder.SampleRate);

        Assert.Equal(4, ttsRequests);
        Assert.Equal(4, ready);
        Assert.False(afterRestart.NeedsRendering);
        Assert.Equal(PromptSource.OwnVoice, cached.Source);
        Assert.Equal(rendered.Samples, cached.Samples);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(_dir, "cache"), "*.wav").Length);
    }

    [Fact]
    public async Task PrepareAsync_WhenTheVoiceChanged_ThenTheCachedClipsMissAndAreRenderedAnew()
    {
        await using var rig = await CoordinatorRig.CreateAsync(models.Root);
        await new OfflinePrompts(Options(), rig.Renderer(), AtomicFileWriter.Instance).PrepareAsync(CancellationToken.None);
        var otherVoice = new VoicePromptRenderer(rig.Client, rig.Prompts, rig.Vocoder, rig.Voice with { PromptText = "Another voice." }, "contract-vocoder");

        await new OfflinePrompts(Options(), otherVoice, AtomicFileWriter.Instance).PrepareAsync(CancellationToken.None);

        Assert.Equal(8, rig.Server.CompletionRequestBodies.Count);
        Assert.Equal(8, Directory.GetFiles(Path.Combine(_dir, "cache"), "*.wav").Length);
    }

    [Fact]
    public async Task ClipFor_WhenNothingWasRenderedYet_ThenTheBundledClipElseTheEarcon()
    {
        await using var rig = await CoordinatorRig.CreateAsync(models.Root);
        await rig.StopServerAsync();
        Directory.CreateDirectory(Path.Combine(_dir, "bundled"));
        var bundled = Enumerable.Range(0, 16000).Select(i => 0.2f * MathF.Sin(i * 0.05f)).ToArray();
        WavFile.Write(Path.Combine(_dir, "bundled", "server-unreachable.wav"), bundled, 16000, 1);
        var prompts = new OfflinePrompts(Options(), rig.Renderer(), AtomicFileWriter.Instance);

        var ready = await prompts.PrepareAsync(CancellationToken.None);
        var unreachable = prompts.ClipFor(OfflinePromptKind.ServerUnreachable, 16000);
        var error = prompts.ClipFor(OfflinePromptKind.ServerError, 16000);

        Assert.Equal(0, ready);
        Assert.True(prompts.NeedsRendering);
        Assert.Equal(PromptSource.Bundled, unreachable.Source);
        Assert.Equal(bundled.Length, unreachable.Samples.Length);
        Assert.Equal(PromptSource.Earcon, error.Source);
        Assert.True(error.Seconds is > 0.2 and < 1.5, $"{error.Seconds} s");
        Assert.False(Directory.Exists(Path.Combine(_dir, "cache")), "nothing rendered, nothing cached");
    }

    [Fact]
    public async Task ReplyAsync_WhenATurnSucceedsWhilePromptsAreMissing_ThenTheyAreRenderedInTheIdleMomentAfterIt()
    {
        await using var rig = await CoordinatorRig.CreateAsync(models.Root);
        rig.Server.Options.FailWithStatus = 503;
        var prompts = new OfflinePrompts(Options(), rig.Renderer(), AtomicFileWriter.Instance);
        rig.Start(prompts: prompts);
        await rig.TurnAsync(1, groups: 10);
        Assert.True(prompts.NeedsRendering);

        rig.Server.Options.FailWithStatus = 0;
        await rig.TurnAsync(2, groups: 10);
        await prompts.AllRendered.WaitAsync(CoordinatorRig.WaitLimit);

        Assert.Equal(PromptSource.OwnVoice, prompts.ClipFor(OfflinePromptKind.ServerTooSlow, rig.Vocoder.SampleRate).Source);
    }

    [Fact]
    public void Earcon_WhenSynthesized_ThenEachKindHasItsOwnPatternWithinFullScale()
    {
        var clips = Enum.GetValues<OfflinePromptKind>().Select(k => Earcon.Synthesize(k, 22050)).ToList();

        Assert.All(clips, c => Assert.All(c, s => Assert.InRange(s, -0.5f, 0.5f)));
        Assert.All(clips, c => Assert.Equal(0f, c[0]));
        Assert.Equal(clips.Count, clips.Select(c => c.Length + (int)(c.Sum(Math.Abs) * 1000)).Distinct().Count());
    }

    private OfflinePromptOptions Options() => new()
    {
        CacheDirectory = Path.Combine(_dir, "cache"),
        BundledDirectory = Path.Combine(_dir, "bundled"),
    };

    private static async Task Inject(CoordinatorRig rig, Fault fault)
    {
        switch (fault)
        {
            case Fault.Http500:
                rig.Server.Options.FailWithStatus = 500;
                break;
            case Fault.Unreachable:
                await rig.StopServerAsync();
                break;
            case Fault.SlowFirstToken:
                rig.Client.Options.FirstTokenTimeout = TimeSpan.FromMilliseconds(500);
                rig.Server.Options.FirstTokenDelay = TimeSpan.FromSeconds(5);
                break;
            case Fault.DropMidReply:
                rig.Server.Options.DropAfterTokens = 2;
                break;
        }
    }
}
