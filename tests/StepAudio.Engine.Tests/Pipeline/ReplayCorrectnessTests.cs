using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Tests.Vocoder.Fakes;
using StepAudio.StandInServer;
using StepAudio.TestSupport.Replay;

namespace StepAudio.Engine.Tests.Pipeline;

/// <summary>
/// A small replay corpus through the real endpointing and the whole reply side against the
/// stand-in: whatever the speculation did, each turn's reply is the one for its final tokens.
/// (The timing figures come from the conversation benchmark, not from here.)
/// </summary>
public sealed class ReplayCorrectnessTests(ContractVocoderDirectory vocoder, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ContractVocoderDirectory>
{
    [Fact]
    public async Task Replay_WhenTurnsPauseAndResume_ThenEveryReplyAnswersItsFinalTokensAndNothingElseIsHeard()
    {
        var corpus = ReplayCorpus.Generate(new ReplayCorpusOptions
        {
            Seed = 11,
            Turns = 5,
            MinPhrases = 2,
            MaxPhrases = 3,
            MinPhraseMs = 400,
            MaxPhraseMs = 900,
            HesitationShare = 0.2,
            PauseMs = (300, 600),
        });
        await using var server = await StandInGpuServer.StartAsync(new StandInOptions
        {
            AnswerNamesPrompt = true,
            FirstTokenDelay = TimeSpan.FromMilliseconds(120),
            PrefixCacheEntries = 8,
        });
        IReadOnlyList<ReplayTurnInput> inputs;
        IReadOnlyList<ReplayTurnResult> results;
        await using (var rig = new ConversationRig(vocoder.Root, server.BaseAddress))
        {
            inputs = await new ReplayDriver(rig, new ScriptedTokenSource(), new EndpointingOptions(), timeScale: 0.5).RunAsync(corpus);
            results = ReplayResults.From(rig.Events.Events, inputs);
        }

        foreach (var result in results)
        {
            output.WriteLine($"turn {result.TurnId}: {result.SpeculationsStarted} speculations, {result.SpeculationsCancelled} cancelled, committed {result.Committed}: {result.ReplyText}");
        }

        Assert.All(results, r => Assert.False(r.Failed, $"turn {r.TurnId} failed"));
        Assert.Contains(results, r => r.Committed);
        Assert.Contains(results, r => r.SpeculationsCancelled > 0);
        var replies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            Assert.NotNull(result.FinalTokenString);
            var expected = StandInModels.ChatAnswer(result.FinalTokenString!, namePrompt: true);
            Assert.Equal(expected, result.ReplyText);
            replies.Add(expected);
        }

        var spoken = server.Generations.Where(g => g.Route == "tts").Select(g => g.UserContent).ToList();
        Assert.All(spoken, sentence => Assert.Contains(replies, reply => reply.Contains(sentence, StringComparison.Ordinal)));
        // At most one request per speculation (one cancelled at once may never reach the server),
        // plus one per turn whose speculation was not committed; each turn's own answer was
        // generated exactly once (a committed turn never asks again).
        var chats = server.Generations.Where(g => g.Route == "chat").ToList();
        Assert.InRange(chats.Count, results.Count, results.Sum(r => r.SpeculationsStarted) + results.Count(r => !r.Committed));
        Assert.All(replies, reply => Assert.Single(chats, c => c.Answer == reply));
    }
}
