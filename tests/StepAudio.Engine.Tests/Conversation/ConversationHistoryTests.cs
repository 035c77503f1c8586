using System.Text.Json;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tests.Conversation.Fakes;
using StepAudio.Engine.Tests.Vocoder.Fakes;

namespace StepAudio.Engine.Tests.Conversation;

/// <summary>What the coordinator keeps of each turn, seen in the requests the stand-in receives.</summary>
public sealed class ConversationHistoryTests(ContractVocoderDirectory models) : IClassFixture<ContractVocoderDirectory>
{
    [Fact]
    public async Task ReplyAsync_WhenTwoTurnsAreAnswered_ThenTheSecondRequestStartsWithTheWholeFirstExchange()
    {
        await using var rig = await CoordinatorRig.CreateAsync(models.Root);
        rig.Start();

        await rig.TurnAsync(1, groups: 12, seed: 1);
        await rig.TurnAsync(2, groups: 8, seed: 2);

        var first = Messages(rig.Server.ChatRequestBodies[0]);
        var second = Messages(rig.Server.ChatRequestBodies[1]);
        Assert.Equal(first, second.Take(first.Count));
        Assert.Equal(("assistant", "I heard 60 audio tokens, about 1.4 seconds of speech."), second[2]);
        Assert.Equal(("user", CoordinatorRig.Tokens(8, 2).ToTokenString()), second[3]);
    }

    [Fact]
    public async Task ReplyAsync_WhenAWakePreemptsTheReply_ThenTheInterruptedTurnLeavesNothingInTheHistory()
    {
        await using var rig = await CoordinatorRig.CreateAsync(models.Root);
        rig.Server.Options.TokenInterval = TimeSpan.FromMilliseconds(300);
        rig.Start();
        var tokens = CoordinatorRig.Tokens(12, 1);
        rig.Signals.Writer.TryWrite(new TurnSignal(TurnSignalKind.Wake, 0, 1, "hey_jarvis", 0.99f));
        rig.Signals.Writer.TryWrite(new TurnSignal(TurnSignalKind.EndOfTurn, 0, 1) { Tokens = Task.FromResult(tokens), Reason = "silence" });
        await rig.Events.WaitForAsync(PipelineEventTypes.FirstTextToken, CoordinatorRig.WaitLimit);

        rig.Signals.Writer.TryWrite(new TurnSignal(TurnSignalKind.Wake, 0, 2, "hey_jarvis", 0.99f));
        await rig.Coordinator.WhenTurnFinished(1).WaitAsync(CoordinatorRig.WaitLimit);
        rig.Server.Options.TokenInterval = TimeSpan.Zero;
        rig.Signals.Writer.TryWrite(new TurnSignal(TurnSignalKind.EndOfTurn, 0, 2) { Tokens = Task.FromResult(CoordinatorRig.Tokens(8, 2)), Reason = "silence" });
        await rig.Coordinator.WhenTurnFinished(2).WaitAsync(CoordinatorRig.WaitLimit);

        Assert.Contains(rig.Events.Events, e => e is TurnEnded { Turn: 1, Cancelled: true });
        Assert.Equal(["system", "user"], Messages(rig.Server.ChatRequestBodies[^1]).Select(m => m.Role));
        Assert.Equal(1, rig.Coordinator.Context.TurnCount);
    }

    private static List<(string Role, string Content)> Messages(string body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))
            .ToList();
    }
}
