using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Turns;

namespace StepAudio.Engine.Tests.Pipeline;

public sealed class SentenceSplitterTests
{
    [Fact]
    public void Push_WhenTextStreamsWordByWord_EmitsEachSentenceOnceComplete()
    {
        var splitter = new SentenceSplitter();
        var emitted = new List<string>();
        foreach (var piece in new[] { "It will ", "be sunny ", "tomorrow. ", "Expect 3.5 ", "degrees more than today! ", "Enjoy" })
        {
            emitted.AddRange(splitter.Push(piece));
        }

        Assert.Equal(["It will be sunny tomorrow.", "Expect 3.5 degrees more than today!"], emitted);
        Assert.Equal("Enjoy", splitter.Flush());
    }

    [Fact]
    public void Push_WhenSentenceIsTooShort_JoinsItToTheNext()
    {
        var splitter = new SentenceSplitter(minimumLength: 12);

        var sentences = splitter.Push("Yes. It is raining in Paris. ");

        Assert.Equal(["Yes. It is raining in Paris."], sentences);
    }

    [Fact]
    public void Push_WhenChineseTerminators_SplitsWithoutSpaces()
    {
        var splitter = new SentenceSplitter(minimumLength: 4);

        var sentences = splitter.Push("明天巴黎是晴天。气温二十度左右！");

        Assert.Equal(["明天巴黎是晴天。", "气温二十度左右！"], sentences);
        Assert.Null(splitter.Flush());
    }
}
