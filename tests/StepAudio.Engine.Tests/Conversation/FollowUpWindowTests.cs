using System.Text.Json;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Tests.Conversation.Fakes;
using StepAudio.TestSupport;
using StepAudio.Engine.Tests.Fakes;

namespace StepAudio.Engine.Tests.Conversation;

/// <summary>The listening loop on the pinned models, the coordinator on the stand-in: speech after a reply, without the wake word.</summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class FollowUpWindowTests(ModelsFixture models, ContractModelsFixture contract) : IDisposable
{
    private readonly ListeningStages _stages = new(models, contract);

    public void Dispose() => _stages.Dispose();

    [Fact]
    public async Task Process_WhenSpeechFollowsAReplyWithinTheWindow_ThenItIsTheNextTurnOfTheSameConversation()
    {
        await using var rig = await CoordinatorRig.CreateAsync(contract.Directory);
        using var loop = NewLoop(rig);
        rig.Start(new ConversationContext(new ConversationOptions { FollowUpWindow = TimeSpan.FromSeconds(4) }, "Be brief."), followUp: loop);

        Feed(loop, WakeAndAsk("what time is it in Tokyo"));
        await rig.Coordinator.WhenTurnFinished(1).WaitAsync(CoordinatorRig.WaitLimit);
        await rig.Events.WaitForAsync(PipelineEventTypes.FollowUpOpen, CoordinatorRig.WaitLimit);
        Feed(loop, SpeechClips.Concat(SpeechClips.Silence(500), SpeechClips.Synthesize("and in Paris"), SpeechClips.Silence(1500)));
        await rig.Coordinator.WhenTurnFinished(2).WaitAsync(CoordinatorRig.WaitLimit);

        Assert.Equal(1, rig.Coordinator.Wakes);
        Assert.Equal(2, rig.Coordinator.CompletedTurns);
        Assert.Contains(rig.Events.Events, e => e is FollowUpStarted { Turn: 2 });
        var second = Roles(rig.Server.ChatRequestBodies[^1]);
        Assert.Equal(["system", "user", "assistant", "user"], second.Select(m => m.Role));
        Assert.StartsWith("I heard", second[2].Content);
        Assert.Equal(Roles(rig.Server.ChatRequestBodies[0])[1].Content, second[1].Content);
        Assert.Equal(2, rig.Coordinator.Context.TurnCount);
    }

    [Fact]
    public async Task Process_WhenTheWindowRunsOutInSilence_ThenSpeechNeedsTheWakeWordAgain()
    {
        await using var rig = await CoordinatorRig.CreateAsync(contract.Directory);
        using var loop = NewLoop(rig);
        rig.Start(new ConversationContext(new ConversationOptions { FollowUpWindow = TimeSpan.FromSeconds(2) }, "Be brief."), followUp: loop);
        Feed(loop, WakeAndAsk("tell me a joke"));
        await rig.Coordinator.WhenTurnFinished(1).WaitAsync(CoordinatorRig.WaitLimit);
        await rig.Events.WaitForAsync(PipelineEventTypes.FollowUpOpen, CoordinatorRig.WaitLimit);

        Feed(loop, SpeechClips.Silence(2500));
        Assert.False(loop.InFollowUpWindow);
        Feed(loop, SpeechClips.Concat(SpeechClips.Synthesize("and another one"), SpeechClips.Silence(1500)));

        await rig.Events.WaitForAsync(PipelineEventTypes.FollowUpEnd, CoordinatorRig.WaitLimit);
        Assert.Equal(1, loop.TurnId);
        Assert.False(loop.InTurn);
        Assert.DoesNotContain(PipelineEventTypes.FollowUpStart, rig.Events.Types);
    }

    [Fact]
    public async Task Process_WhenFollowUpsAreOff_ThenNoWindowOpensAfterTheReply()
    {
        await using var rig = await CoordinatorRig.CreateAsync(contract.Directory);
        using var loop = NewLoop(rig);
        rig.Start(new ConversationContext(new ConversationOptions { FollowUpWindow = TimeSpan.Zero }, "Be brief."), followUp: loop);

        Feed(loop, WakeAndAsk("what is the weather"));
        await rig.Coordinator.WhenTurnFinished(1).WaitAsync(CoordinatorRig.WaitLimit);
        Feed(loop, SpeechClips.Concat(SpeechClips.Synthesize("and tomorrow"), SpeechClips.Silence(1500)));

        Assert.DoesNotContain(PipelineEventTypes.FollowUpOpen, rig.Events.Types);
        Assert.Equal(1, loop.TurnId);
    }

    private ListeningLoop NewLoop(CoordinatorRig rig) => _stages.NewLoop(rig.Timeline, rig.Signals.Writer);

    private static float[] WakeAndAsk(string question) => SpeechClips.Concat(
        SpeechClips.Silence(600),
        SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140),
        SpeechClips.Silence(300),
        SpeechClips.Synthesize(question, wordsPerMinute: 160),
        SpeechClips.Silence(1500));

    private static void Feed(ListeningLoop loop, float[] audio)
    {
        for (var offset = 0; offset < audio.Length; offset += 160)
        {
            loop.Process(audio.AsSpan(offset, Math.Min(160, audio.Length - offset)));
        }
    }

    private static List<(string Role, string Content)> Roles(string body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))
            .ToList();
    }
}
