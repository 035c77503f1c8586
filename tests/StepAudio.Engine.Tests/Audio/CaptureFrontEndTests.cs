using StepAudio.Engine.Audio;
using Xunit;
using StepAudio.TestSupport.Allocation;

namespace StepAudio.Engine.Tests.Audio;

public sealed class CaptureFrontEndTests
{
    [Fact]
    public void Process_WhenTheDeviceRunsAt16kHz_WritesTheSelectedChannelUnchanged()
    {
        // Channel c of frame i is 10 i + c.
        var interleaved = Enumerable.Range(0, 6 * 3).Select(s => (float)((10 * (s / 3)) + (s % 3))).ToArray();
        var stage = new CaptureFrontEnd(ChannelSelection.Channel(3, 2), 16000, maxFramesPerCall: 6);
        var mono = new float[stage.MaxOutputSamples];

        var written = stage.Process(interleaved, mono);

        Assert.Equal(6, written);
        Assert.Equal([2f, 12f, 22f, 32f, 42f, 52f], mono[..written]);
    }

    [Fact]
    public void Process_WhenTheDeviceRunsAt48kHz_MixesThenResamplesAsTheResamplerDoesAlone()
    {
        var left = Signals.Tone(440, 48000, 4800);
        var right = Signals.Noise(4800, seed: 3, amplitude: 0.1);
        var interleaved = Interleave(left, right);
        var mixed = left.Zip(right, (l, r) => (l + r) * 0.5f).ToArray();

        var expected = new float[4800];
        var expectedCount = new PolyphaseResampler(48000, 16000).Process(mixed, expected);

        var stage = new CaptureFrontEnd(ChannelSelection.Mix(2), 48000, maxFramesPerCall: 480);
        var output = RunInPeriods(stage, interleaved, periodFrames: 480);

        Assert.Equal(expected[..expectedCount], output);
        Assert.InRange(output.Length, 1550, 1600);
    }

    [Fact]
    public void ProcessAll_OnAWholeRecording_GivesWhatTheWholeFileResamplerGivesAlignedWithTheInput()
    {
        var left = Signals.Tone(440, 48000, 9600);
        var right = Signals.Noise(9600, seed: 5, amplitude: 0.1);
        var mixed = left.Zip(right, (l, r) => (l + r) * 0.5f).ToArray();
        var expected = PolyphaseResampler.ResampleAll(mixed, 48000, 16000);

        // Smaller blocks than the recording, so the stage's own chunking is exercised.
        var output = new CaptureFrontEnd(ChannelSelection.Mix(2), 48000, maxFramesPerCall: 700).ProcessAll(Interleave(left, right));

        Assert.Equal(expected, output);
        Assert.Equal(3200, output.Length);
    }

    [Fact]
    public void Process_WhenFedPeriodsOfDifferentSizes_GivesTheSameSamplesAsEvenPeriods()
    {
        var interleaved = Interleave(Signals.Tone(1000, 44100, 8820), Signals.Tone(300, 44100, 8820));
        var even = RunInPeriods(new CaptureFrontEnd(ChannelSelection.Channel(2, 1), 44100, 441), interleaved, periodFrames: 441);

        var uneven = RunInPeriods(new CaptureFrontEnd(ChannelSelection.Channel(2, 1), 44100, 441), interleaved, periodFrames: 97);

        Assert.Equal(even, uneven);
    }

    [Fact]
    public void Process_OnceConstructed_AllocatesNothingPerCall()
    {
        var stage = CaptureFrontEnd.FromOptions(new ChannelSelectionOptions { Mode = ChannelSelectionMode.Mix }, channels: 4, inputRate: 48000, maxFramesPerCall: 1024);
        var interleaved = new float[1024 * 4];
        Signals.Noise(interleaved.Length, seed: 1).CopyTo(interleaved, 0);
        var mono = new float[stage.MaxOutputSamples];
        stage.Process(interleaved, mono);

        var allocated = AllocationMeter.Measure(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                stage.Process(interleaved, mono);
            }
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Process_WhenACallBringsMoreFramesThanSizedFor_ThrowsSayingSo()
    {
        var stage = new CaptureFrontEnd(ChannelSelection.Mix(2), 48000, maxFramesPerCall: 100);

        var error = Assert.Throws<ArgumentException>(() => stage.Process(new float[2 * 101], new float[1000]));

        Assert.Contains("101 frames is more than the 100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_WhenTheInputIsNotWholeFrames_ThrowsSayingSo()
    {
        var stage = new CaptureFrontEnd(ChannelSelection.Mix(2), 16000, maxFramesPerCall: 100);

        var error = Assert.Throws<ArgumentException>(() => stage.Process(new float[7], new float[100]));

        Assert.Contains("not a whole number of 2-channel frames", error.Message, StringComparison.Ordinal);
    }

    private static float[] RunInPeriods(CaptureFrontEnd stage, float[] interleaved, int periodFrames)
    {
        var output = new List<float>();
        var mono = new float[stage.MaxOutputSamples];
        var step = periodFrames * stage.Channels;
        for (var offset = 0; offset < interleaved.Length; offset += step)
        {
            var written = stage.Process(interleaved.AsSpan(offset, Math.Min(step, interleaved.Length - offset)), mono);
            output.AddRange(mono.AsSpan(0, written));
        }

        return [.. output];
    }

    private static float[] Interleave(float[] left, float[] right)
    {
        var interleaved = new float[left.Length * 2];
        for (var i = 0; i < left.Length; i++)
        {
            interleaved[2 * i] = left[i];
            interleaved[(2 * i) + 1] = right[i];
        }

        return interleaved;
    }
}
