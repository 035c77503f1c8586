using StepAudio.Engine.Features;
using Xunit;

namespace StepAudio.Engine.Tests.Features;

public sealed class LowFrameRateTests
{
    private const int Dim = 3;

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(47)]
    public void AcceptThenFinish_WhenStreamedOneFrameAtATime_ThenMatchesPaddedStackingFormula(int frames)
    {
        var input = Frames(frames);
        var lfr = new LowFrameRate(Dim);
        var output = new List<float>();
        var buffer = new float[lfr.OutputDimension * 2];
        for (var f = 0; f < frames; f++)
        {
            var written = lfr.Accept(input.AsSpan(f * Dim, Dim), buffer);
            output.AddRange(buffer.AsSpan(0, written * lfr.OutputDimension).ToArray());
        }

        var last = lfr.Finish(buffer);
        output.AddRange(buffer.AsSpan(0, last * lfr.OutputDimension).ToArray());

        Assert.Equal(Expected(input, frames), output.ToArray());
        Assert.Equal(lfr.OutputCountFor(frames) * lfr.OutputDimension, output.Count);
    }

    [Fact]
    public void Accept_WhenEachChunkIsOneTokenizerPiece_ThenFourOutputsPerPieceAndTheRestAtFinish()
    {
        // A 3840-sample piece yields 22 fbank frames first, then 24 per piece: 4 outputs each.
        var lfr = new LowFrameRate(Dim);
        var input = Frames(22 + 24 + 24 + 10);
        var buffer = new float[lfr.OutputDimension * 8];
        Assert.Equal(4, lfr.Accept(input.AsSpan(0, 22 * Dim), buffer));
        Assert.Equal(4, lfr.Accept(input.AsSpan(22 * Dim, 24 * Dim), buffer));
        Assert.Equal(4, lfr.Accept(input.AsSpan(46 * Dim, 24 * Dim), buffer));
        Assert.Equal(1, lfr.Accept(input.AsSpan(70 * Dim, 10 * Dim), buffer));
        Assert.Equal(1, lfr.Finish(buffer));
        Assert.Equal(14, lfr.OutputCountFor(80));
    }

    [Fact]
    public void Finish_WhenNothingWasAccepted_ThenWritesNothing()
    {
        Assert.Equal(0, new LowFrameRate(Dim).Finish([]));
    }

    [Fact]
    public void CopyStateFrom_WhenFinishedOnTheCopy_ThenOriginalContinuesUnchanged()
    {
        var input = Frames(30);
        var original = new LowFrameRate(Dim);
        var buffer = new float[original.OutputDimension * 8];
        original.Accept(input.AsSpan(0, 20 * Dim), buffer);
        var copy = new LowFrameRate(Dim);
        copy.CopyStateFrom(original);
        Assert.Equal(1, copy.Finish(buffer));

        var rest = new float[original.OutputDimension * 8];
        var written = original.Accept(input.AsSpan(20 * Dim), rest);
        var tail = original.Finish(rest.AsSpan(written * original.OutputDimension));
        var expected = Expected(input, 30).AsSpan(3 * original.OutputDimension).ToArray();
        Assert.Equal(expected, rest.AsSpan(0, (written + tail) * original.OutputDimension).ToArray());
    }

    private static float[] Frames(int count)
    {
        var frames = new float[count * Dim];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = (i / Dim) + ((i % Dim) * 0.1f);
        }

        return frames;
    }

    // Output k stacks frames 6k-3 .. 6k+3, indices clamped to the first and last frame.
    private static float[] Expected(float[] input, int frames)
    {
        var outputs = (frames + 5) / 6;
        var expected = new float[outputs * 7 * Dim];
        for (var k = 0; k < outputs; k++)
        {
            for (var j = 0; j < 7; j++)
            {
                var source = Math.Clamp((6 * k) + j - 3, 0, frames - 1);
                Array.Copy(input, source * Dim, expected, ((k * 7) + j) * Dim, Dim);
            }
        }

        return expected;
    }
}
