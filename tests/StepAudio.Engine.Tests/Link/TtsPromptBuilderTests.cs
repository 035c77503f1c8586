using StepAudio.Engine.Link;
using StepAudio.Engine.Tests.Fakes;
using Xunit;

namespace StepAudio.Engine.Tests.Link;

public sealed class TtsPromptBuilderTests
{
    private static readonly int[] Newline = FakeTextTokenizer.Newline;
    private static readonly int[] Human = FakeTextTokenizer.Human;
    private static readonly int[] Assistant = FakeTextTokenizer.Assistant;

    [Fact]
    public async Task BuildAsync_WhenTokenizedAsUpstreamDoes_ThenEveryEncodedPieceKeepsItsBosExceptTheStrippedTexts()
    {
        // tts.py: history = [1] + [4] + encode("system\n...") + [3] + [4] + encode("human\n") + text[len(encode("\n")):] ...
        var builder = new TtsPromptBuilder(new FakeTextTokenizer(), "tts-model");

        int[] ids = await builder.BuildAsync("Sys", "Hi", new[] { 0, 1024, 5119 }, "Yo");

        int S(char c) => FakeTextTokenizer.Char(c);
        int[] expected =
        [
            1,
            4, 1, S('s'), S('y'), S('s'), S('t'), S('e'), S('m'), .. Newline, S('S'), S('y'), S('s'), 3,
            4, 1, .. Human, S('H'), S('i'), 3,
            4, 1, .. Assistant, 65536, 65536 + 1024, 65536 + 5119, 3,
            4, 1, .. Human, S('Y'), S('o'), 3,
            4, 1, .. Assistant,
        ];
        Assert.Equal(expected, ids);
    }

    [Fact]
    public async Task BuildAsync_WhenGivenAllPartsWithoutSpecialTokens_ThenLayoutHasOneBos()
    {
        var tokenizer = new FakeTextTokenizer();
        var builder = new TtsPromptBuilder(tokenizer, "tts-model", addSpecialTokens: false);

        int[] ids = await builder.BuildAsync("Sys", "Hi", new[] { 0, 1024, 5119 }, "Yo");

        int S(char c) => FakeTextTokenizer.Char(c);
        int[] expected =
        [
            1,
            4, S('s'), S('y'), S('s'), S('t'), S('e'), S('m'), .. Newline, S('S'), S('y'), S('s'), 3,
            4, .. Human, S('H'), S('i'), 3,
            4, .. Assistant, 65536, 65536 + 1024, 65536 + 5119, 3,
            4, .. Human, S('Y'), S('o'), 3,
            4, .. Assistant,
        ];
        Assert.Equal(expected, ids);
    }

    [Fact]
    public async Task BuildAsync_WhenTextsAreTokenized_ThenTheyCarryALeadingNewlineThatIsStrippedByItsIdCount()
    {
        var tokenizer = new FakeTextTokenizer();
        var builder = new TtsPromptBuilder(tokenizer, "tts-model");

        int[] ids = await builder.BuildAsync("S", "P", ReadOnlyMemory<int>.Empty, "T");

        string[] texts = tokenizer.Calls.Select(c => c.Text).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["\n", "\nP", "\nT", "assistant\n", "human\n", "system\nS"], texts);
        Assert.All(tokenizer.Calls, c => Assert.Equal("tts-model", c.Model));
        // The two newline ids (90, 91) appear only inside the system turn, never before P or T.
        int[] afterSystem = ids[(Array.IndexOf(ids, 3) + 1)..];
        Assert.DoesNotContain(Newline[0], afterSystem);
        Assert.DoesNotContain(Newline[1], afterSystem);
    }

    [Fact]
    public async Task BuildAsync_WhenCalledTwice_ThenRoleLinesAreTokenizedOnce()
    {
        var tokenizer = new FakeTextTokenizer();
        var builder = new TtsPromptBuilder(tokenizer, "tts-model");

        int[] first = await builder.BuildAsync("S", "P", new[] { 3 }, "T");
        int[] second = await builder.BuildAsync("S", "P", new[] { 3 }, "T");

        Assert.Equal(first, second);
        Assert.Single(tokenizer.Calls, c => c.Text == "human\n");
        Assert.Single(tokenizer.Calls, c => c.Text == "\n");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5120)]
    public async Task BuildAsync_WhenAPromptAudioIdIsOutOfRange_ThenArgumentExceptionNamesIt(int bad)
    {
        var builder = new TtsPromptBuilder(new FakeTextTokenizer(), "tts-model");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => builder.BuildAsync("S", "P", new[] { 1, bad }, "T"));

        Assert.Equal("promptAudioTokens", ex.ParamName);
        Assert.Contains("token 1", ex.Message);
    }

    [Fact]
    public async Task BuildAsync_WhenTargetTextIsEmpty_ThenArgumentException()
    {
        var builder = new TtsPromptBuilder(new FakeTextTokenizer(), "tts-model");

        await Assert.ThrowsAsync<ArgumentException>(() => builder.BuildAsync("S", "P", ReadOnlyMemory<int>.Empty, " "));
    }
}
