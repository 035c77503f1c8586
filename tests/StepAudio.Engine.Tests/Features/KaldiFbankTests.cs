using StepAudio.Engine.Features;
using Xunit;

namespace StepAudio.Engine.Tests.Features;

public sealed class KaldiFbankTests
{
    private const double LogTolerance = 1e-4;

    [Fact]
    public void ComputeAll_WhenGivenSyntheticSignal_ThenMatchesFirstPrinciples()
    {
        var signal = TestSignals.Synthetic(4000);
        var frames = new KaldiFbank().ComputeAll(signal);
        AssertMatches(ReferenceFeatures.KaldiFbank(signal, 32768.0, povey: false), frames, 80);
    }

    [Fact]
    public void ComputeAll_WhenPoveyWindowAndUnitScale_ThenMatchesFirstPrinciples()
    {
        var signal = TestSignals.Synthetic(3000, seed: 7);
        var fbank = new KaldiFbank(new KaldiFbankOptions { Window = KaldiWindowType.Povey, InputScale = 1.0 });
        AssertMatches(ReferenceFeatures.KaldiFbank(signal, 1.0, povey: true), fbank.ComputeAll(signal), 80);
    }

    [Fact]
    public void ComputeAll_WhenGivenRealSpeech_ThenMatchesFirstPrinciples()
    {
        Assert.True(File.Exists(TestSignals.SpeechClip), $"{TestSignals.SpeechClip} is missing: apt-get install -y alsa-utils");
        var speech = TestSignals.ReadPcm16Wav(TestSignals.SpeechClip).AsSpan(20000, 8000).ToArray();
        AssertMatches(ReferenceFeatures.KaldiFbank(speech, 32768.0, povey: false), new KaldiFbank().ComputeAll(speech), 80);
    }

    [Fact]
    public void ComputeAll_WhenSilent_ThenFloorsAtFloatEpsilon()
    {
        var frames = new KaldiFbank().ComputeAll(new float[800]);
        Assert.All(frames, value => Assert.Equal((float)Math.Log(1.1920928955078125e-07), value));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(160)]
    [InlineData(399)]
    [InlineData(400)]
    [InlineData(1001)]
    [InlineData(3840)]
    public void Accept_WhenStreamedInChunks_ThenBitIdenticalToWholeFile(int chunk)
    {
        var signal = TestSignals.Synthetic(9000, seed: 3);
        var fbank = new KaldiFbank();
        var whole = fbank.ComputeAll(signal);

        var streamed = new List<float>();
        var buffer = new float[(chunk / 160 + 2) * 80];
        for (var start = 0; start < signal.Length; start += chunk)
        {
            var piece = signal.AsSpan(start, Math.Min(chunk, signal.Length - start));
            var expectedFrames = fbank.PendingFrames(piece.Length);
            var written = fbank.Accept(piece, buffer);
            Assert.Equal(expectedFrames, written);
            streamed.AddRange(buffer.AsSpan(0, written * 80).ToArray());
        }

        Assert.Equal(whole, streamed.ToArray());
        Assert.Equal(fbank.FrameCountFor(signal.Length), fbank.FramesEmitted);
    }

    [Theory]
    [InlineData(399, 0)]
    [InlineData(400, 1)]
    [InlineData(559, 1)]
    [InlineData(560, 2)]
    [InlineData(16000, 98)]
    public void FrameCountFor_WhenSnippingEdges_ThenCountsWholeWindowsOnly(int samples, int frames)
    {
        Assert.Equal(frames, new KaldiFbank().FrameCountFor(samples));
    }

    [Fact]
    public void CopyStateFrom_WhenContinuedOnTheCopy_ThenSameFramesAsOriginal()
    {
        var signal = TestSignals.Synthetic(2000, seed: 5);
        var original = new KaldiFbank();
        var copy = new KaldiFbank();
        var buffer = new float[20 * 80];
        original.Accept(signal.AsSpan(0, 950), buffer);
        copy.CopyStateFrom(original);

        var a = new float[20 * 80];
        var b = new float[20 * 80];
        var na = original.Accept(signal.AsSpan(950), a);
        var nb = copy.Accept(signal.AsSpan(950), b);
        Assert.Equal(na, nb);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Constructor_WhenMelRangeIsInverted_ThenThrows()
    {
        Assert.Throws<ArgumentException>(() => new KaldiFbank(new KaldiFbankOptions { LowFrequency = 9000 }));
    }

    private static void AssertMatches(double[][] expected, float[] actual, int bins)
    {
        Assert.Equal(expected.Length * bins, actual.Length);
        Assert.NotEmpty(expected);
        for (var f = 0; f < expected.Length; f++)
        {
            for (var m = 0; m < bins; m++)
            {
                var difference = Math.Abs(expected[f][m] - actual[(f * bins) + m]);
                Assert.True(difference <= LogTolerance, $"frame {f} bin {m}: {actual[(f * bins) + m]} vs {expected[f][m]}");
            }
        }
    }
}
