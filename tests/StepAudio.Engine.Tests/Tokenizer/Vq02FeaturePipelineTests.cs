using StepAudio.ContractModels.Tokenizer;
using StepAudio.Engine.Features;
using StepAudio.Engine.Tests.Features;
using StepAudio.Engine.Tokenizer;
using Xunit;

namespace StepAudio.Engine.Tests.Tokenizer;

public sealed class Vq02FeaturePipelineTests
{
    private static readonly Cmvn Cmvn = Cmvn.Parse(new StringReader(TokenizerContractModels.AmMvnText()), "am.mvn");

    [Theory]
    [InlineData(3840 * 3)]
    [InlineData((3840 * 3) + 500)]
    [InlineData((3840 * 2) + 3839)]
    [InlineData(399)]
    [InlineData(2000)]
    public void ProcessPiece_WhenFedInPiecesWithFinalLast_ThenMatchesWholeUtteranceLfrOfWholeFbank(int samples)
    {
        var signal = TestSignals.Synthetic(samples, seed: 9);
        var pipeline = new Vq02FeaturePipeline(Cmvn);
        var output = new List<float>();
        var buffer = new float[Vq02FeaturePipeline.MaxFramesPerPiece * 560];
        var pieces = (samples / 3840) + 1;
        for (var p = 0; p < pieces; p++)
        {
            var isFinal = p == pieces - 1;
            var piece = signal.AsSpan(p * 3840, isFinal ? samples - (p * 3840) : 3840);
            var frames = pipeline.ProcessPiece(piece, isFinal, buffer);
            if (!isFinal)
            {
                Assert.Equal(4, frames);
            }

            output.AddRange(buffer.AsSpan(0, frames * 560).ToArray());
        }

        Assert.Equal(Expected(signal), output.ToArray());
    }

    [Fact]
    public void ProcessPiece_WhenMoreThanOnePiece_ThenThrows()
    {
        Assert.Throws<ArgumentException>(() => new Vq02FeaturePipeline(Cmvn).ProcessPiece(new float[3841], false, new float[6 * 560]));
    }

    // Whole-utterance LFR over the whole fbank: output k stacks fbank frames 6k-3..6k+3 clamped to the ends, then CMVN.
    private static float[] Expected(float[] signal)
    {
        var normal = new float[signal.Length];
        signal.CopyTo(normal, 0);
        var fbank = new KaldiFbank().ComputeAll(normal);
        var frames = fbank.Length / 80;
        var outputs = (frames + 5) / 6;
        var expected = new float[outputs * 560];
        for (var k = 0; k < outputs; k++)
        {
            for (var j = 0; j < 7; j++)
            {
                var source = Math.Clamp((6 * k) + j - 3, 0, frames - 1);
                Array.Copy(fbank, source * 80, expected, ((k * 7) + j) * 80, 80);
            }
        }

        Cmvn.Apply(expected);
        return expected;
    }
}
