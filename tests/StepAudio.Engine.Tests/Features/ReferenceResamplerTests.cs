using StepAudio.Engine.Features;
using StepAudio.Engine.Tokenizer;

namespace StepAudio.Engine.Tests.Features;

/// <summary>
/// The tokenizer-input resampler against torchaudio's own output (fixtures written by
/// tests/reference/make_resample_fixtures.py), at the rates a device meets.
/// </summary>
public sealed class ReferenceResamplerTests
{
    [Theory]
    [InlineData(8000)]
    [InlineData(22050)]
    [InlineData(24000)]
    [InlineData(44100)]
    [InlineData(48000)]
    public void Resample_WhenComparedWithTorchaudio_MatchesWithinFloatRounding(int rate)
    {
        var directory = Path.Combine(TorchaudioFixtures.Directory, "resample");
        var (input, _, _) = NpyFloatMatrix.Read(Path.Combine(directory, $"{rate}.in.npy"));
        var (expected, _, _) = NpyFloatMatrix.Read(Path.Combine(directory, $"{rate}.out.npy"));

        var actual = ReferenceResampler.Resample(input, rate, 16000);

        Assert.Equal(expected.Length, actual.Length);
        var worst = 0f;
        for (var i = 0; i < actual.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]));
        }

        Assert.True(worst < 2e-5f, $"max abs error {worst:E2} at {rate} Hz");
    }

    [Fact]
    public void Resample_WhenRatesAreEqual_ReturnsTheInput()
    {
        float[] input = [0.1f, -0.2f, 0.3f];

        Assert.Equal(input, ReferenceResampler.Resample(input, 16000, 16000));
    }
}
