using StepAudio.Engine.Features;
using Xunit;

namespace StepAudio.Engine.Tests.Features;

public sealed class AudioConditionerTests
{
    [Fact]
    public void PeakNormalise_WhenLoud_ThenPeakBecomesHeadroom()
    {
        var source = new[] { 0.1f, -0.5f, 0.25f };
        var destination = new float[3];
        AudioConditioner.PeakNormalise(source, destination);
        Assert.Equal(new[] { 0.1f / 0.5f * 0.999f, -0.5f / 0.5f * 0.999f, 0.25f / 0.5f * 0.999f }, destination);
    }

    [Fact]
    public void PeakNormalise_WhenQuieterThanFloor_ThenDividesByFloor()
    {
        var source = new[] { 0.001f, -0.004f };
        var destination = new float[2];
        AudioConditioner.PeakNormalise(source, destination);
        Assert.Equal(new[] { 0.001f / 0.01f * 0.999f, -0.004f / 0.01f * 0.999f }, destination);
    }

    [Fact]
    public void MixToMono_WhenStereo_ThenMeanOfChannels()
    {
        var mono = new float[2];
        AudioConditioner.MixToMono([1f, 0f, -0.5f, 0.25f], 2, mono);
        Assert.Equal(new[] { 0.5f, -0.125f }, mono);
    }

    [Fact]
    public void MixToMono_WhenNotWholeFrames_ThenThrows()
    {
        Assert.Throws<ArgumentException>(() => AudioConditioner.MixToMono([1f, 2f, 3f], 2, new float[2]));
    }

    [Fact]
    public void Normalise_WhenDivisorBelowFloor_ThenThrows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioConditioner.Normalise([1f], 0.001f, new float[1]));
    }
}
