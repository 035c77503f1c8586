using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tests.Vocoder.Fakes;
using StepAudio.Engine.Tokenizer;
using StepAudio.StandInServer;
using StepAudio.TestSupport.Replay;

namespace StepAudio.Engine.Tests.Pipeline;

/// <summary>
/// The commit rule of speculative responses, against the stand-in server with the whole reply
/// side (link, TTS prompts, vocoder): resume cancels, an unchanged end of turn commits without a
/// second request, changed tokens re-request, and nothing from a discarded request is heard.
/// </summary>
public sealed class SpeculationTests(ContractVocoderDirectory vocoder) : IClassFixture<ContractVocoderDirectory>, IAsyncLifetime
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);
    private static readonly ScriptedTokenSource Source = new(unstableTailGroups: 0);
    private StandInGpuServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await StandInGpuServer.StartAsync(new StandInOptions { AnswerNamesPrompt = true, PrefixCacheEntries = 16 });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Resume_WhenSpeculationIsGenerating_ThenServerCancelsAndItsTokensStopGrowing()
    {
        _server.Options.TokenInterval = TimeSpan.FromMilliseconds(40);
        await using var rig = NewRig();
        var early = Tokens(20);
        var final = Tokens(30);
        StartTurn(rig, 1);
        rig.Post(Pause(1, early));
        await _server.WaitForStartedAsync(1, WaitLimit);
        var speculative = Chats()[0];
        rig.Post(new TurnSignal(TurnSignalKind.Resume, 1, 1));

        await _server.WaitForCancelledAsync(1, WaitLimit);
        var sentWhenCancelled = speculative.TokensSent;
        rig.Post(Pause(1, final));
        rig.Post(EndOfTurn(1, final));
        await rig.Coordinator.WhenTurnFinished(1).WaitAsync(WaitLimit);

        Assert.Equal(StandInGenerationOutcome.Cancelled, speculative.Outcome);
        Assert.True(sentWhenCancelled < StandInModels.ChatDeltas(speculative.Answer).Count, "the cancelled generation stopped before its end");
        Assert.Equal(sentWhenCancelled, speculative.TokensSent);
        var completedChat = Assert.Single(Chats(), c => c.Outcome == StandInGenerationOutcome.Completed);
        Assert.Equal(_server.Generations.Sum(g => (long)g.TokensSent), _server.GeneratedTokens);
        Assert.Equal(Answer(final), completedChat.Answer);
        Assert.Single(rig.Events.OfTurn(1, PipelineEventTypes.SpeculativeCancel));
    }

    [Fact]
    public async Task EndOfTurn_WhenNoNewSpeechSincePause_ThenCommitsWithoutASecondRequest()
    {
        await using var rig = NewRig();
        var tokens = Tokens(25);
        StartTurn(rig, 1);
        rig.Post(Pause(1, tokens));
        rig.Post(EndOfTurn(1, Tokens(25)));
        await rig.Coordinator.WhenTurnFinished(1).WaitAsync(WaitLimit);

        var chat = Assert.Single(Chats());
        Assert.Equal(StandInGenerationOutcome.Completed, chat.Outcome);
        Assert.Single(rig.Events.OfTurn(1, PipelineEventTypes.SpeculativeCommit));
        Assert.Empty(rig.Events.OfTurn(1, PipelineEventTypes.ChatRequest));
        Assert.Equal(Answer(tokens), ReplyText(rig, 1));
        AssertOnlySpoken(rig, Answer(tokens));
    }

    [Fact]
    public async Task EndOfTurn_WhenTokensChangedSincePause_ThenReRequestsAndOnlyTheNewReplyIsHeard()
    {
        // The speculation's answer arrives in full before the turn ends: it would be ready to play.
        await using var rig = NewRig();
        var early = Tokens(20);
        var final = Tokens(24);
        StartTurn(rig, 1);
        rig.Post(Pause(1, early));
        await _server.WaitForCompletedAsync(1, WaitLimit);
        rig.Post(EndOfTurn(1, final));
        await rig.Coordinator.WhenTurnFinished(1).WaitAsync(WaitLimit);

        Assert.Equal(2, Chats().Count);
        Assert.Equal(Answer(early), Chats()[0].Answer);
        Assert.Equal(Answer(final), Chats()[1].Answer);
        var discard = Assert.IsType<SpeculationDiscarded>(Assert.Single(rig.Events.OfTurn(1, PipelineEventTypes.SpeculativeDiscard)));
        Assert.Equal(SpeculationDiscardReason.TokensChanged, discard.Reason);
        Assert.Equal(20, discard.SharedGroups);
        Assert.Empty(rig.Events.OfTurn(1, PipelineEventTypes.SpeculativeCommit));
        Assert.Equal(Answer(final), ReplyText(rig, 1));
        AssertOnlySpoken(rig, Answer(final));
    }

    [Fact]
    public async Task Pause_WhenSpeechResumedAndPausedAgain_ThenTheLatestSpeculationCommitsAndTheFirstIsNeverHeard()
    {
        _server.Options.FirstTokenDelay = TimeSpan.FromMilliseconds(300);
        await using var rig = NewRig();
        var first = Tokens(12);
        var second = Tokens(28);
        StartTurn(rig, 1);
        rig.Post(Pause(1, first));
        await _server.WaitForStartedAsync(1, WaitLimit);
        rig.Post(new TurnSignal(TurnSignalKind.Resume, 1, 1));
        rig.Post(Pause(1, second));
        rig.Post(EndOfTurn(1, second));
        await rig.Coordinator.WhenTurnFinished(1).WaitAsync(WaitLimit);

        Assert.Equal([StandInGenerationOutcome.Cancelled, StandInGenerationOutcome.Completed], Chats().Select(c => c.Outcome));
        Assert.Single(rig.Events.OfTurn(1, PipelineEventTypes.SpeculativeCommit));
        AssertOnlySpoken(rig, Answer(second));
        Assert.DoesNotContain(StandInModels.PromptName(first.ToTokenString()), ReplyText(rig, 1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReRequest_WhenItFollowsItsSpeculation_ThenItHitsThePrefixCacheBeyondTheSystemPrompt()
    {
        await using var rig = NewRig();
        var early = Tokens(20);
        var final = Tokens(30);
        StartTurn(rig, 1);
        rig.Post(Pause(1, early));
        await _server.WaitForStartedAsync(1, WaitLimit);
        rig.Post(EndOfTurn(1, final));
        await rig.Coordinator.WhenTurnFinished(1).WaitAsync(WaitLimit);

        var (speculative, reRequest) = (Chats()[0], Chats()[1]);
        Assert.Equal(0, speculative.CachedPromptTokens);

        // Everything before the user turn plus the 100 ids of the 20 shared groups, in whole blocks.
        var systemPart = speculative.PromptTokens - (20 * 5) - "<|BOT|>assistant\n".Length;
        Assert.True(reRequest.CachedPromptTokens >= ((systemPart + 100) / 16 * 16) - 16, $"cached {reRequest.CachedPromptTokens} of {reRequest.PromptTokens}");
        Assert.True(reRequest.CachedPromptTokens > systemPart, "the cache reaches into the audio tokens");
        Assert.Equal(1, _server.PrefixCacheHits);
    }

    [Fact]
    public async Task Commit_WhenAnotherTurnCameBefore_ThenTheSpeculativeRequestHitsThePrefixCache()
    {
        await using var rig = NewRig();
        foreach (var turn in new[] { 1, 2 })
        {
            var tokens = Tokens(10 + turn);
            StartTurn(rig, turn);
            rig.Post(Pause(turn, tokens));
            rig.Post(EndOfTurn(turn, tokens));
            await rig.Coordinator.WhenTurnFinished(turn).WaitAsync(WaitLimit);
        }

        Assert.Equal(2, Chats().Count);
        Assert.Equal(2, rig.Events.Events.Count(e => e.Type == PipelineEventTypes.SpeculativeCommit));
        Assert.True(Chats()[1].CachedPromptTokens >= 16, "same system prompt, same framing: the committed turn's request reuses it");
        Assert.Equal(1, _server.PrefixCacheHits);
    }

    [Fact]
    public async Task Speak_WhenReplyHasSeveralSentences_ThenFirstSentenceTtsStartsBeforeTheChatStreamEnds()
    {
        _server.Options.TokenInterval = TimeSpan.FromMilliseconds(25);
        await using var rig = NewRig();
        var tokens = Tokens(15);
        StartTurn(rig, 1);
        rig.Post(Pause(1, tokens));
        rig.Post(EndOfTurn(1, tokens));
        await rig.Coordinator.WhenTurnFinished(1).WaitAsync(WaitLimit);

        var chat = Assert.Single(Chats());
        var firstTts = _server.Generations.First(g => g.Route == "tts");
        Assert.StartsWith("I heard 75 audio tokens", firstTts.UserContent, StringComparison.Ordinal);
        Assert.True(firstTts.StartedAt < chat.EndedAt, "TTS of sentence 1 began while the chat model was still writing");
        Assert.True(rig.Output.Samples > 0);
    }

    [Fact]
    public async Task Pause_WhenSpeculationIsOff_ThenOnlyTheEndOfTurnAsks()
    {
        await using var rig = NewRig(speculate: false);
        var tokens = Tokens(10);
        StartTurn(rig, 1);
        rig.Post(Pause(1, tokens));
        rig.Post(EndOfTurn(1, tokens));
        await rig.Coordinator.WhenTurnFinished(1).WaitAsync(WaitLimit);

        Assert.Single(Chats());
        Assert.Empty(rig.Events.OfTurn(1, PipelineEventTypes.SpeculativeStart));
        Assert.Single(rig.Events.OfTurn(1, PipelineEventTypes.ChatRequest));
        Assert.Equal(Answer(tokens), ReplyText(rig, 1));
    }

    private ConversationRig NewRig(bool speculate = true) => new(vocoder.Root, _server.BaseAddress, speculate);

    private List<StandInGenerationRecord> Chats() => _server.Generations.Where(g => g.Route == "chat").ToList();

    private static AudioTokens Tokens(int groups) => Source.Tokens(seed: 5, groups * ScriptedTokenSource.SamplesPerGroup);

    private static string Answer(AudioTokens tokens) => StandInModels.ChatAnswer(tokens.ToTokenString(), namePrompt: true);

    private static void StartTurn(ConversationRig rig, int turn)
    {
        rig.Post(new TurnSignal(TurnSignalKind.Wake, 0, turn, "test", 1f));
        rig.Post(new TurnSignal(TurnSignalKind.SpeechStart, 0, turn));
    }

    private static TurnSignal Pause(int turn, AudioTokens tokens) => new(TurnSignalKind.Pause, 1, turn) { Tokens = Task.FromResult(tokens) };

    private static TurnSignal EndOfTurn(int turn, AudioTokens tokens) => new(TurnSignalKind.EndOfTurn, 2, turn) { Tokens = Task.FromResult(tokens), Reason = "silence" };

    private static string? ReplyText(ConversationRig rig, int turn) =>
        Assert.IsType<TurnEnded>(Assert.Single(rig.Events.OfTurn(turn, PipelineEventTypes.TurnEnd))).Reply?.Text;

    /// <summary>Every TTS request (what is heard) is a sentence of <paramref name="reply"/>, and together they are all of it.</summary>
    private void AssertOnlySpoken(ConversationRig rig, string reply)
    {
        var spoken = _server.Generations.Where(g => g.Route == "tts").Select(g => g.UserContent).ToList();
        Assert.NotEmpty(spoken);
        Assert.All(spoken, sentence => Assert.Contains(sentence, reply, StringComparison.Ordinal));
        Assert.Equal(reply, string.Join(' ', spoken));
        Assert.True(rig.Output.Samples > 0, "the reply was heard");
    }
}
