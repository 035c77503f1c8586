using StepAudio.Engine.Link;
using Xunit;

namespace StepAudio.Engine.Tests.Link;

public sealed class AudioTokenTextTests
{
    [Theory]
    [InlineData(0, "<audio_0>")]
    [InlineData(1023, "<audio_1023>")]
    [InlineData(5119, "<audio_5119>")]
    public void Format_WhenIdInRange_ThenGivesTheTokenText(int id, string expected)
    {
        Assert.Equal(expected, AudioTokenText.Format(id));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5120)]
    public void Format_WhenIdOutOfRange_ThenThrows(int id)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioTokenText.Format(id));
    }

    [Fact]
    public void FormatAll_WhenGivenAGroup_ThenConcatenatesWithoutSeparators()
    {
        Assert.Equal("<audio_5><audio_1000><audio_1024><audio_4000><audio_5119>", AudioTokenText.FormatAll([5, 1000, 1024, 4000, 5119]));
    }

    [Fact]
    public void FormatAll_WhenAnIdIsOutOfRange_ThenTheMessageNamesItsIndex()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => AudioTokenText.FormatAll([1, 2, 9000]));

        Assert.Contains("index 2", ex.Message);
    }

    [Fact]
    public void Feed_WhenTextIsSplitAtEveryPosition_ThenIdsAreTheSame()
    {
        int[] expected = [0, 17, 1023, 1024, 5119, 42];
        string text = AudioTokenText.FormatAll(expected);

        for (int split1 = 0; split1 <= text.Length; split1++)
        {
            for (int split2 = split1; split2 <= text.Length; split2 += 3)
            {
                var parser = new AudioTokenParser();
                var ids = new List<int>();
                Feed(parser, text[..split1], ids);
                Feed(parser, text[split1..split2], ids);
                Feed(parser, text[split2..], ids);
                Assert.Equal(expected, ids);
                Assert.False(parser.InsideToken);
            }
        }
    }

    [Fact]
    public void Feed_WhenOneCharacterAtATime_ThenIdsComeOutAsEachTokenCloses()
    {
        var parser = new AudioTokenParser();
        Span<int> ids = stackalloc int[2];
        string text = "<audio_12><audio_3>";
        var completedAt = new List<int>();
        for (int i = 0; i < text.Length; i++)
        {
            if (parser.Feed(text.AsSpan(i, 1), ids) == 1)
            {
                completedAt.Add(i);
            }
        }

        Assert.Equal([9, 18], completedAt);
    }

    [Theory]
    [InlineData("<|EOT|>", new int[0])]
    [InlineData("<audio_5><|EOT|>", new[] { 5 })]
    [InlineData(" <audio_5> \n<audio_6>", new[] { 5, 6 })]
    [InlineData("<audio_><audio_x1><audio_7", new int[0])]
    [InlineData("<<audio_8>", new[] { 8 })]
    [InlineData("<audio<audio_9>", new[] { 9 })]
    [InlineData("<audio_1<audio_2>", new[] { 2 })]
    [InlineData("<audio_123456>", new int[0])]
    [InlineData("text before <audio_10> and after", new[] { 10 })]
    public void ParseAll_WhenTextMixesTokensAndOtherText_ThenOnlyWellFormedAudioIdsCount(string text, int[] expected)
    {
        Assert.Equal(expected, AudioTokenText.ParseAll(text));
    }

    [Fact]
    public void Feed_WhenIdIsBeyondTheCodebook_ThenItIsDroppedAndCounted()
    {
        var parser = new AudioTokenParser();
        var ids = new int[4];

        int count = parser.Feed("<audio_5120><audio_1><audio_99999>", ids);

        Assert.Equal(1, count);
        Assert.Equal(1, ids[0]);
        Assert.Equal(2, parser.RejectedCount);
    }

    [Fact]
    public void Feed_WhenDestinationIsTooSmall_ThenThrowsWithSizes()
    {
        var parser = new AudioTokenParser();
        var ids = new int[1];

        var ex = Assert.Throws<ArgumentException>(() => parser.Feed("<audio_1><audio_2>", ids));

        Assert.Contains("holds 1", ex.Message);
    }

    private static void Feed(AudioTokenParser parser, string piece, List<int> ids)
    {
        var buffer = new int[piece.Length / 9 + 1];
        int count = parser.Feed(piece, buffer);
        ids.AddRange(buffer.AsSpan(0, count).ToArray());
    }
}
