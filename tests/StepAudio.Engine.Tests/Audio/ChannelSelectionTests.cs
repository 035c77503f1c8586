using StepAudio.Engine.Audio;

namespace StepAudio.Engine.Tests.Audio;

public sealed class ChannelSelectionTests
{
    /// <summary>Four channels whose samples say where they came from: channel c of frame i is 10 i + c.</summary>
    private static readonly float[] Labelled = [.. Enumerable.Range(0, 5 * 4).Select(s => (float)((10 * (s / 4)) + (s % 4)))];

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public void Process_WhenOneChannelIsSelected_OutputsExactlyThatChannel(int channel)
    {
        var mono = new float[5];

        ChannelSelection.Channel(4, channel).Process(Labelled, mono);

        Assert.Equal([.. Enumerable.Range(0, 5).Select(i => (float)((10 * i) + channel))], mono);
    }

    [Fact]
    public void Process_WhenAListIsSelected_AveragesOnlyThoseChannels()
    {
        var mono = new float[5];

        ChannelSelection.Channels(4, [1, 3]).Process(Labelled, mono);

        Assert.Equal([.. Enumerable.Range(0, 5).Select(i => (10f * i) + 2f)], mono);
    }

    [Fact]
    public void Process_WhenMixing_AveragesAllChannels()
    {
        var mono = new float[5];

        ChannelSelection.Mix(4).Process(Labelled, mono);

        Assert.Equal([.. Enumerable.Range(0, 5).Select(i => (10f * i) + 1.5f)], mono);
    }

    [Fact]
    public void FromOptions_WhenBeamPositionsDoNotMatchTheChannels_ThrowsNamingTheOption()
    {
        var options = new ChannelSelectionOptions
        {
            Mode = ChannelSelectionMode.Beam,
            MicrophonePositions = [new MicrophonePosition(), new MicrophonePosition { X = 0.035f }],
        };

        var error = Assert.Throws<ArgumentException>(() => ChannelSelection.FromOptions(options, 4, 16_000));

        Assert.Contains("MicrophonePositions lists 2 microphones but the input has 4 channels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromOptions_WhenBeamIsConfigured_SteersTowardTheConfiguredAzimuth()
    {
        var options = new ChannelSelectionOptions
        {
            Mode = ChannelSelectionMode.Beam,
            AzimuthDegrees = 0f,
            MicrophonePositions = [.. Enumerable.Range(0, 4).Select(m => new MicrophonePosition { X = 0.035f * m })],
        };
        var selection = ChannelSelection.FromOptions(options, 4, 16_000);
        var positions = Enumerable.Range(0, 4).Select(m => new System.Numerics.Vector3(0.035f * m, 0, 0)).ToArray();
        var toward = DelayAndSumBeamformerTests.PlaneWave(positions, 0f, 3000, 4000);
        var away = DelayAndSumBeamformerTests.PlaneWave(positions, 180f, 3000, 4000);
        var a = new float[4000];
        var b = new float[4000];

        selection.Process(toward, a);
        var fresh = ChannelSelection.FromOptions(options, 4, 16_000);
        fresh.Process(away, b);

        Assert.Equal(ChannelSelectionMode.Beam, selection.Mode);
        Assert.True(Energy(a.AsSpan(100)) > 10 * Energy(b.AsSpan(100)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void Channel_WhenOutOfRange_ThrowsNamingTheRange(int channel)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ChannelSelection.Channel(4, channel));

        Assert.Contains("channels 0 to 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Channels_WhenAChannelRepeats_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => ChannelSelection.Channels(4, [1, 1]));

        Assert.Contains("selected twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_WhenBeamHasNoPositions_FailsNamingTheField()
    {
        var result = new ChannelSelectionOptionsValidator().Validate(null, new ChannelSelectionOptions { Mode = ChannelSelectionMode.Beam });

        Assert.True(result.Failed);
        Assert.Contains("MicrophonePositions", result.FailureMessage, StringComparison.Ordinal);
    }

    private static double Energy(ReadOnlySpan<float> x)
    {
        var sum = 0.0;
        foreach (var v in x)
        {
            sum += v * (double)v;
        }

        return sum;
    }
}
