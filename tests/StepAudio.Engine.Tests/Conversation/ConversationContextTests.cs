using Microsoft.Extensions.Options;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Link;
using StepAudio.Engine.Tests.Fakes;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Engine.Tests.Conversation;

public sealed class ConversationContextTests
{
    private const string System = "You are a speaker.";

    [Fact]
    public void BuildMessages_WhenNoHistory_ThenSystemThenCurrentTurn()
    {
        var context = new ConversationContext(new ConversationOptions(), System);

        var messages = context.BuildMessages(Audio(10));

        Assert.Equal([ChatMessage.System, ChatMessage.Human], messages.Select(m => m.Role));
        Assert.Equal(System, messages[0].Content);
        Assert.Equal(Audio(10), messages[1].Content);
    }

    [Fact]
    public void BuildMessages_WhenTurnsWereRecorded_ThenEachRequestExtendsThePreviousOneUnchanged()
    {
        var context = new ConversationContext(new ConversationOptions(), System);
        var first = context.BuildMessages(Audio(10, seed: 1));
        context.RecordTurn(first[^1].Content, "It is sunny.");

        var speculative = context.BuildMessages(Audio(6, seed: 2));
        var committed = context.BuildMessages(Audio(10, seed: 2));

        Assert.Equal(first, committed.Take(first.Count));
        Assert.Equal(new ChatMessage(ChatMessage.Assistant, "It is sunny."), committed[first.Count]);
        Assert.Equal(speculative.Take(speculative.Count - 1), committed.Take(committed.Count - 1));
        Assert.Equal(4, committed.Count);
    }

    [Fact]
    public void RecordTurn_WhenTranscriptIsKnown_ThenTheUserTurnIsKeptAsText()
    {
        var context = new ConversationContext(new ConversationOptions(), System);
        context.RecordTurn(Audio(50), "Twenty degrees.", userTranscript: "How warm is it?");

        var messages = context.BuildMessages(Audio(5));

        Assert.Equal("How warm is it?", messages[1].Content);
        Assert.Equal("Twenty degrees.", messages[2].Content);
    }

    [Fact]
    public void BuildMessages_WhenOverTheBudget_ThenOldestWholeTurnsGoAndSystemAndCurrentStay()
    {
        var options = new ConversationOptions { HistoryTokenBudget = 900, TrimToFraction = 0.75 };
        var context = new ConversationContext(options, System);
        for (var i = 0; i < 5; i++)
        {
            context.RecordTurn(Audio(150, seed: i), $"Answer {i}.");
        }

        var messages = context.BuildMessages(Audio(150, seed: 9));

        // System 10 + 5 turns of 162 + current 154 = 974 > 900: trimmed until the request fits 675.
        Assert.Equal(ChatMessage.System, messages[0].Role);
        Assert.Equal(Audio(150, seed: 9), messages[^1].Content);
        Assert.Equal(Audio(150, seed: 2), messages[1].Content);
        Assert.Equal("Answer 4.", messages[^2].Content);
        Assert.Equal(3, context.TurnCount);
        Assert.True(Total(messages) <= 675, $"{Total(messages)} tokens");
        for (var i = 1; i < messages.Count - 1; i += 2)
        {
            Assert.Equal(ChatMessage.Human, messages[i].Role);
            Assert.Equal(ChatMessage.Assistant, messages[i + 1].Role);
        }
    }

    [Fact]
    public void BuildMessages_WhenTheCurrentTurnAloneExceedsTheBudget_ThenItIsSentWithTheSystemTurnOnly()
    {
        var context = new ConversationContext(new ConversationOptions { HistoryTokenBudget = 256 }, System);
        context.RecordTurn(Audio(20), "Hi.");

        var messages = context.BuildMessages(Audio(400));

        Assert.Equal(2, messages.Count);
        Assert.Equal(Audio(400), messages[1].Content);
        Assert.Equal(0, context.TurnCount);
    }

    [Fact]
    public void BuildMessages_WhenIdleLongerThanTheTimeout_ThenTheHistoryIsForgottenAndANewSessionStarts()
    {
        var time = new ManualTimeProvider();
        var context = new ConversationContext(new ConversationOptions { IdleTimeout = TimeSpan.FromMinutes(2) }, System, time);
        context.RecordTurn(Audio(20), "Hi.");
        time.Advance(TimeSpan.FromSeconds(119));
        var kept = context.BuildMessages(Audio(5));
        context.RecordTurn(Audio(5), "Yes.");
        time.Advance(TimeSpan.FromSeconds(121));

        var fresh = context.BuildMessages(Audio(7));

        Assert.Equal(4, kept.Count);
        Assert.Equal(2, fresh.Count);
        Assert.Equal(2, context.SessionId);
        Assert.Equal(0, context.HistoryTokens);
    }

    [Fact]
    public void AttachTranscript_WhenLearnedAfterTheTurn_ThenAppliedOnlyAtTheNextTrim()
    {
        var context = new ConversationContext(new ConversationOptions { HistoryTokenBudget = 600, TrimToFraction = 1.0 }, System);
        var audio = Audio(100, seed: 1);
        context.RecordTurn(audio, "First.");
        context.RecordTurn(Audio(100, seed: 2), "Second.");

        Assert.True(context.AttachTranscript(audio, "What is the time?"));
        var beforeTrim = context.BuildMessages(Audio(10));
        var afterTrim = context.BuildMessages(Audio(400));

        Assert.Equal(audio, beforeTrim[1].Content);
        Assert.Equal(2, context.TurnCount);
        Assert.Equal("What is the time?", afterTrim[1].Content);
        Assert.False(context.AttachTranscript(Audio(3, seed: 7), "never recorded"));
    }

    [Fact]
    public void Validate_WhenOptionsAreOutOfRange_ThenTheFailureNamesEachField()
    {
        var result = new ConversationOptionsValidator().Validate(null, new ConversationOptions { HistoryTokenBudget = 10, FollowUpWindow = TimeSpan.FromMinutes(5) });

        Assert.True(result.Failed);
        Assert.Contains("HistoryTokenBudget", result.FailureMessage);
        Assert.Contains("FollowUpWindow", result.FailureMessage);
    }

    [Fact]
    public void Count_WhenContentMixesAudioTagsAndText_ThenAudioIsExactAndTextEstimated()
    {
        Assert.Equal(12, ContextTokenCounter.CountAudioTokens(Audio(12)));
        Assert.Equal(12, ContextTokenCounter.Count(Audio(12)));
        Assert.Equal(0, ContextTokenCounter.CountAudioTokens("<audio_> <audio_x> <audio_12"));
        Assert.Equal(3, ContextTokenCounter.Count("今天好"));
        // Latin words cost one token per four letters, rounded up: an estimate that errs high.
        Assert.Equal(2 + 2 + 1 + 2, ContextTokenCounter.Count("Hello there, friend"));
        Assert.Equal(2 + 1 + 2, ContextTokenCounter.Count("<audio_5>Weather?<audio_1029>"));
    }

    private static int Total(IReadOnlyList<ChatMessage> messages) => messages.Sum(m => ContextTokenCounter.CountMessage(m.Content));

    private static string Audio(int tokens, int seed = 0) =>
        string.Concat(Enumerable.Range(0, tokens).Select(i => $"<audio_{(i * 37 + seed * 101) % 5120}>"));
}
