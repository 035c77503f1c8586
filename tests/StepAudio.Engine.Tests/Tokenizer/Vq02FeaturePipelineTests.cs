using StepAudio.ContractModels.Tokenizer;
using StepAudio.Engine.Features;
using StepAudio.Engine.Tests.Features;
using StepAudio.Engine.Tokenizer;
using Xunit;

namespace StepAudio.Engine.Tests.Tokenizer;

public sealed class Vq02FeaturePipelineTests
{
    private static readonly Cmvn Cmvn = Cmvn.Parse(new StringReader(TokenizerContractModels.AmMvnText()), "am.mvn");

    // Counts by FunASR's online front-end. After three whole pieces the fbank has 70 frames (320 samples cached) and
    // LFR has written 12 outputs over 3 + 70 frames, holding 1 back. The final piece then: empty, the chunk loop stops
    // (12); 79 samples, no new fbank frame, the held frame alone yields nothing (12); 500 or 879 samples, 3 or 5 new
    // frames, fewer than 7 with the held one, so the front-end returns nothing (12); 880 samples, 6 new frames, 7 in
    // all, one padded output (13). Whole-utterance LFR would give ceil(73 / 6) = 13 for 500 samples.
    [Theory]
    [InlineData(3840 * 3, 12)]
    [InlineData((3840 * 3) + 79, 12)]
    [InlineData((3840 * 3) + 500, 12)]
    [InlineData((3840 * 3) + 879, 12)]
    [InlineData((3840 * 3) + 880, 13)]
    [InlineData((3840 * 2) + 3839, 12)]
    [InlineData(399, 0)]
    [InlineData(2000, 2)]
    public void ProcessPiece_WhenFedInPiecesWithFinalLast_ThenGivesFunAsrsCountOfTheWholeUtterancesLfrFrames(int samples, int expectedFrames)
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

        Assert.Equal(expectedFrames * 560, output.Count);
        Assert.Equal(Expected(signal).AsSpan(0, output.Count).ToArray(), output.ToArray());
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
