using StepAudio.Engine.Features;
using Xunit;

namespace StepAudio.Engine.Tests.Features;

public sealed class CmvnTests
{
    private const string Valid = """
        <Nnet>
        <Splice> 3 3
        [ 0 ]
        <AddShift> 3 3
        <LearnRateCoef> 0 [ -1 -2.5 3e-1 ]
        <Rescale> 3 3
        <LearnRateCoef> 0 [ 2 0.5 -1 ]
        </Nnet>
        """;

    [Fact]
    public void Parse_WhenFunAsrLayout_ThenAppliesShiftThenScale()
    {
        var cmvn = Cmvn.Parse(new StringReader(Valid), "am.mvn");
        Assert.Equal(3, cmvn.Dimension);
        var frames = new float[] { 1, 1, 1, 0, 5, -0.3f };
        cmvn.Apply(frames);
        Assert.Equal(new float[] { 0, -0.75f, -1.3f, -2, 1.25f, 0 }, frames);
    }

    [Theory]
    [InlineData("<Nnet>\n<AddShift> 3 3\n<LearnRateCoef> 0 [ 1 2 ]\n<Rescale> 3 3\n<LearnRateCoef> 0 [ 1 2 3 ]\n</Nnet>", "line 3", "']'")]
    [InlineData("<Nnet>\n<AddShift> 3 3\n<LearnRateCoef> 0 [ 1 x 3 ]\n</Nnet>", "line 3", "'x'")]
    [InlineData("<Nnet>\n<AddShift> 3 3\n<LearnRateCoef> 0 [ 1 2 3 ]\n</Nnet>", "line 4", "<Rescale>")]
    [InlineData("<Nnet>\n<AddShift> 3 3\n<LearnRateCoef> 0 [ 1 2 3 ]\n<Rescale> 2 2\n<LearnRateCoef> 0 [ 1 2 ]\n</Nnet>", "line 6", "3 values")]
    [InlineData("<Nnet>\n<Sigmoid> 3 3\n</Nnet>", "line 2", "<Sigmoid>")]
    [InlineData("<Nnet>\n<AddShift> 3 3\n<LearnRateCoef> 0 [ 1 2 3 ]", "ends", "after line 3")]
    [InlineData("hello", "line 1", "<Nnet>")]
    [InlineData("<Nnet>\n<Splice> 3 3\n[ -1 0 1 ]\n</Nnet>", "line 3", "identity")]
    public void Parse_WhenMalformed_ThenCmvnFormatExceptionNamesTheLine(string text, string where, string what)
    {
        var error = Assert.Throws<CmvnFormatException>(() => Cmvn.Parse(new StringReader(text), "vq02/am.mvn"));
        Assert.StartsWith("vq02/am.mvn", error.Message, StringComparison.Ordinal);
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<FormatException>(error);
    }

    [Fact]
    public void Load_WhenFileExists_ThenReadsIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cmvn-{Guid.NewGuid():N}.mvn");
        File.WriteAllText(path, Valid);
        try
        {
            Assert.Equal(new float[] { -1, -2.5f, 0.3f }, Cmvn.Load(path).Shift.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
