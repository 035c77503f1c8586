using StepAudio.Engine.Audio;
using Xunit;

namespace StepAudio.Engine.Tests.Audio;

public sealed class ChannelMixerTests
{
    [Fact]
    public void MixToMono_WhenStereo_ThenMeanOfBothChannels()
    {
        var mono = new float[3];

        ChannelMixer.MixToMono([1f, 0f, 0.5f, -0.5f, -1f, -0.5f], 2, mono);

        Assert.Equal([0.5f, 0f, -0.75f], mono);
    }

    [Fact]
    public void MixToMono_WhenSixChannels_ThenMeanOfAll()
    {
        var mono = new float[2];

        ChannelMixer.MixToMono([0.6f, 0.6f, 0.6f, 0f, 0f, 0f, 1f, 1f, 1f, 1f, 1f, -1f], 6, mono);

        Assert.Equal(0.3f, mono[0], 1e-6f);
        Assert.Equal(4f / 6, mono[1], 1e-6f);
    }

    [Fact]
    public void MixToMono_WhenMono_ThenCopies()
    {
        var mono = new float[2];

        ChannelMixer.MixToMono([0.1f, 0.2f], 1, mono);

        Assert.Equal([0.1f, 0.2f], mono);
    }

    [Fact]
    public void ExtractChannel_WhenThirdOfFour_ThenEveryFourthSampleFromIndexTwo()
    {
        var mono = new float[2];

        ChannelMixer.ExtractChannel([0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f], 4, 2, mono);

        Assert.Equal([2f, 6f], mono);
    }

    [Fact]
    public void ExtractChannel_WhenChannelOutOfRange_ThenThrows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelMixer.ExtractChannel(new float[4], 2, 2, new float[2]));
    }

    [Fact]
    public void MixToMono_WhenNotWholeFrames_ThenThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => ChannelMixer.MixToMono(new float[5], 2, new float[3]));
    }

    [Fact]
    public void MixToMono_WhenMonoBufferTooShort_ThenThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => ChannelMixer.MixToMono(new float[6], 2, new float[2]));

        Assert.Contains("3 frames", error.Message, StringComparison.Ordinal);
    }
}
