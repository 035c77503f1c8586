using Microsoft.Extensions.Options;
using StepAudio.ContractModels.Tokenizer;
using StepAudio.Engine.Features;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tokenizer;
using Xunit;

namespace StepAudio.Engine.Tests.Tokenizer;

public sealed class DualCodebookTokenizerLoadTests : IClassFixture<TokenizerFixture>
{
    private readonly TokenizerFixture _fixture;

    public DualCodebookTokenizerLoadTests(TokenizerFixture fixture) => _fixture = fixture;

    [Fact]
    public void Load_WhenContractModels_ThenReadsCacheShapeFromTheModel()
    {
        Assert.Equal(Vq02EncoderContractModel.Layers, _fixture.Tokenizer.Encoder.Layers);
        Assert.Equal(Vq02EncoderContractModel.CacheWidth, _fixture.Tokenizer.Encoder.CacheWidth);
    }

    [Fact]
    public async Task Load_WhenEncoderHasOtherLayerCountAndWidth_ThenUsesThem()
    {
        var directory = _fixture.CopyDirectory();
        try
        {
            File.WriteAllBytes(Path.Combine(directory, "vq02", "encoder.onnx"), Vq02EncoderContractModel.Build(layers: 3, cacheWidth: 4));
            using var tokenizer = DualCodebookTokenizer.Load(TokenizerFixture.Options(directory), new OnnxSessionFactory());
            Assert.Equal((3, 4), (tokenizer.Encoder.Layers, tokenizer.Encoder.CacheWidth));
            var tokens = await tokenizer.TokenizeAsync(Tests.Features.TestSignals.Synthetic(8000), CancellationToken.None);
            Assert.Equal(8, tokens.Vq02.Length);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Load_WhenVq06ModelIsWhereTheEncoderShouldBe_ThenModelContractExceptionNamesTheInputs()
    {
        var error = LoadBroken<ModelContractException>(d =>
            File.Copy(Path.Combine(d, "vq06", "speech_tokenizer_v1.onnx"), Path.Combine(d, "vq02", "encoder.onnx"), overwrite: true));
        Assert.Contains("vq02 encoder", error.Message, StringComparison.Ordinal);
        Assert.Contains("'speech' is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("feats", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenEncoderInputHasWrongWidth_ThenMessageNamesInputAndBothShapes()
    {
        var error = LoadBroken<ModelContractException>(d =>
            File.WriteAllBytes(Path.Combine(d, "vq02", "encoder.onnx"), Vq02EncoderContractModel.Build(inputDim: 80)));
        Assert.Contains("input 'speech' is [1,-1,80]", error.Message, StringComparison.Ordinal);
        Assert.Contains("speech: float[1,-1,560]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenEncoderGivenAsVq06_ThenModelContractExceptionForVq06()
    {
        var error = LoadBroken<ModelContractException>(d =>
            File.Copy(Path.Combine(d, "vq02", "encoder.onnx"), Path.Combine(d, "vq06", "speech_tokenizer_v1.onnx"), overwrite: true));
        Assert.Contains("vq06 tokenizer", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected 2 inputs, the model has 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenVq06OutputsInt32_ThenLoads()
    {
        var directory = _fixture.CopyDirectory();
        try
        {
            File.WriteAllBytes(Path.Combine(directory, "vq06", "speech_tokenizer_v1.onnx"), Vq06TokenizerContractModel.Build(int32Output: true));
            using var tokenizer = DualCodebookTokenizer.Load(TokenizerFixture.Options(directory), new OnnxSessionFactory());
            Assert.NotNull(tokenizer);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Load_WhenCodebookIsMissing_ThenModelContractExceptionNamesThePath()
    {
        var error = LoadBroken<ModelContractException>(d => File.Delete(Path.Combine(d, "vq02", "linguistic_tokenizer.npy")));
        Assert.Contains(Path.Combine("vq02", "linguistic_tokenizer.npy"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenAmMvnIsMalformed_ThenCmvnFormatException()
    {
        var error = LoadBroken<CmvnFormatException>(d => File.WriteAllText(Path.Combine(d, "vq02", "am.mvn"), "<Nnet>\n<AddShift> 560 560\n<LearnRateCoef> 0 [ 1 2 ]\n"));
        Assert.Contains("am.mvn, line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenCodebookIsNotFloat32_ThenNpyFormatException()
    {
        var error = LoadBroken<NpyFormatException>(d => File.WriteAllText(Path.Combine(d, "vq02", "linguistic_tokenizer.npy"), "not numpy"));
        Assert.Contains("linguistic_tokenizer.npy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenModelDirectoryIsEmpty_ThenTheFailureNamesIt()
    {
        var result = new TokenizerOptionsValidator().Validate(null, TokenizerFixture.Options(string.Empty));

        Assert.True(result.Failed);
        Assert.Contains(nameof(TokenizerOptions.ModelDirectory), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenDirectoryDoesNotExist_ThenModelContractExceptionNamesIt()
    {
        var error = Assert.Throws<ModelContractException>(() => DualCodebookTokenizer.Load(TokenizerFixture.Options("/nonexistent/models"), new OnnxSessionFactory()));
        Assert.Contains("/nonexistent/models", error.Message, StringComparison.Ordinal);
    }

    private TException LoadBroken<TException>(Action<string> breakIt)
        where TException : Exception
    {
        var directory = _fixture.CopyDirectory();
        try
        {
            breakIt(directory);
            return Assert.Throws<TException>(() => DualCodebookTokenizer.Load(TokenizerFixture.Options(directory), new OnnxSessionFactory()));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
