using StepAudio.Engine.Tokenizer;
using Xunit;

namespace StepAudio.Engine.Tests.Tokenizer;

public sealed class AudioTokensTests
{
    private static readonly AudioTokens TwoGroups = new([5, 1023, 0, 17], [0, 7, 4095, 1, 2, 3]);

    [Fact]
    public void ToInterleavedIds_WhenTwoGroups_ThenTwoVq02ThenThreeShiftedVq06()
    {
        Assert.Equal(new[] { 5, 1023, 1024, 1031, 5119, 0, 17, 1025, 1026, 1027 }, TwoGroups.ToInterleavedIds());
    }

    [Fact]
    public void ToLlmIds_WhenTwoGroups_ThenInterleavedPlus65536()
    {
        Assert.Equal(new[] { 65541, 66559, 66560, 66567, 70655, 65536, 65553, 66561, 66562, 66563 }, TwoGroups.ToLlmIds());
    }

    [Fact]
    public void ToTokenString_WhenOneGroup_ThenAudioTagsWithoutSeparators()
    {
        var tokens = new AudioTokens([5, 1023], [0, 7, 4095]);
        Assert.Equal("<audio_5><audio_1023><audio_1024><audio_1031><audio_5119>", tokens.ToTokenString());
    }

    [Theory]
    [InlineData(5, 7, 2)]
    [InlineData(3, 9, 1)]
    [InlineData(1, 3, 0)]
    [InlineData(4, 2, 0)]
    public void GroupCount_WhenStreamsAreUneven_ThenTrailingIncompleteGroupIsDropped(int vq02, int vq06, int groups)
    {
        var tokens = new AudioTokens(new int[vq02], new int[vq06]);
        Assert.Equal(groups, tokens.GroupCount);
        Assert.Equal(groups * 5, tokens.ToInterleavedIds().Length);
        Assert.Equal(groups * 5, tokens.ToTokenString().Split('<', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(vq02, tokens.Vq02.Length);
    }

    [Fact]
    public void FromInterleaved_WhenGivenInterleavedIds_ThenRoundTrips()
    {
        var back = AudioTokens.FromInterleaved(TwoGroups.ToInterleavedIds());
        Assert.Equal(TwoGroups.Vq02.ToArray(), back.Vq02.ToArray());
        Assert.Equal(TwoGroups.Vq06.ToArray(), back.Vq06.ToArray());
    }

    [Theory]
    [InlineData(new[] { 1, 2, 1024, 1025 }, "groups of 5")]
    [InlineData(new[] { 1, 1024, 1024, 1025, 1026 }, "index 1")]
    [InlineData(new[] { 1, 2, 1024, 5120, 1026 }, "index 3")]
    [InlineData(new[] { -1, 2, 1024, 1025, 1026 }, "index 0")]
    public void FromInterleaved_WhenNotWholeValidGroups_ThenArgumentExceptionSaysWhere(int[] ids, string where)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => AudioTokens.FromInterleaved(ids));
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_WhenTokenOutsideCodebook_ThenThrows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioTokens([1024], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioTokens([], [4096]));
    }
}
