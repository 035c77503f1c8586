using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Vocoder.Flow;
using Xunit;

namespace StepAudio.Engine.Tests.Vocoder;

public sealed class FlowTokenMapperTests
{
    private static readonly int[] TwoGroups = [5, 1000, 1024, 2048, 5119, 7, 8, 1100, 1200, 1300];

    [Fact]
    public void MapAll_WhenInterleaved_ThenIdsPassUnchanged()
    {
        Assert.Equal(TwoGroups, FlowTokenMapper.MapAll(FlowTokenLayout.Interleaved, TwoGroups));
    }

    [Fact]
    public void MapAll_WhenVq06Only_ThenKeepsTheThreeVq06IdsMinus1024()
    {
        Assert.Equal(new[] { 0, 1024, 4095, 76, 176, 276 }, FlowTokenMapper.MapAll(FlowTokenLayout.Vq06Only, TwoGroups));
    }

    [Fact]
    public void MapAll_WhenV2Pairs_ThenEachGroupBecomesThreePairsWithPaddedVq02AndShiftedVq06()
    {
        var pairs = FlowTokenMapper.MapAll(FlowTokenLayout.V2Pairs, TwoGroups);

        Assert.Equal(new[] { 5, 1025, 1000, 2049, 1024, 5120, 7, 1101, 8, 1201, 1024, 1301 }, pairs);
    }

    [Fact]
    public void MapAll_WhenV2PairsEndsMidGroup_ThenPadsVq02WithZeroAndVq06With1024()
    {
        var pairs = FlowTokenMapper.MapAll(FlowTokenLayout.V2Pairs, [5, 6, 1030]);

        Assert.Equal(new[] { 5, 1031, 6, 1025, 1024, 1025 }, pairs);
    }

    [Fact]
    public void Push_WhenIdOutsideTheAudioRange_ThenThrowsNamingIdAndPosition()
    {
        var mapper = new FlowTokenMapper(FlowTokenLayout.Interleaved);
        var output = new int[FlowTokenMapper.MaxOutputPerCall];
        mapper.Push(3, output);

        var error = Assert.Throws<InvalidDataException>(() => mapper.Push(5120, output));

        Assert.Contains("5120", error.Message, StringComparison.Ordinal);
        Assert.Contains("position 1", error.Message, StringComparison.Ordinal);
    }
}
