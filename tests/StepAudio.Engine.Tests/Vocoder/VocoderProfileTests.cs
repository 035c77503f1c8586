using StepAudio.ContractModels.Vocoder;
using StepAudio.Engine.Vocoder;
using Xunit;

namespace StepAudio.Engine.Tests.Vocoder;

public sealed class VocoderProfileTests
{
    [Fact]
    public void Parse_WhenContractV1Config_ThenReadsEveryField()
    {
        var profile = VocoderProfile.Parse(VocoderContractModels.V1ProfileJson, "vocoder.json");

        Assert.Equal("v1", profile.Name);
        Assert.Equal(22050, profile.SampleRate);
        Assert.Equal(256, profile.Hop);
        Assert.Equal(FlowTokenLayout.Interleaved, profile.TokenLayout);
        Assert.Equal(10, profile.FlowSteps);
        Assert.Equal(0.7f, profile.CfgRate);
        Assert.Equal(20, profile.OverlapTokens);
    }

    [Fact]
    public void FramesForTokens_WhenTokenRate25_ThenIsIntOfTokensOverRateTimes22050Over256()
    {
        var profile = VocoderProfile.Parse(VocoderContractModels.V1ProfileJson.Replace("41.666666666666664", "25", StringComparison.Ordinal), "vocoder.json");

        Assert.Equal((int)(50 / 25.0 * 22050 / 256), profile.FramesForTokens(50));
        Assert.Equal(172, profile.FramesForTokens(50));
        Assert.Equal(0, profile.FramesForTokens(0));
    }

    [Theory]
    [InlineData("\"hop\": 256,", "", "'hop' is missing")]
    [InlineData("\"hop\": 256", "\"hop\": \"256\"", "'hop' must be an integer")]
    [InlineData("\"cfgRate\": 0.7", "\"cfgRate\": -1", "'cfgRate' is -1")]
    [InlineData("\"tokenLayout\": \"interleaved\"", "\"tokenLayout\": \"vq07\"", "'tokenLayout' is 'vq07'")]
    [InlineData("\"maxChunkTokens\": 160", "\"maxChunkTokens\": 10", "'maxChunkTokens' (10)")]
    public void Parse_WhenFieldMalformed_ThenErrorNamesTheField(string original, string replacement, string expected)
    {
        var json = VocoderContractModels.V1ProfileJson.Replace(original, replacement, StringComparison.Ordinal);

        var error = Assert.Throws<VocoderConfigException>(() => VocoderProfile.Parse(json, "vocoder/v1/vocoder.json"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("vocoder/v1/vocoder.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WhenNotJson_ThenConfigExceptionNotARawJsonError()
    {
        var error = Assert.Throws<VocoderConfigException>(() => VocoderProfile.Parse("{ \"profile\": ", "vocoder.json"));

        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenFileMissing_ThenErrorNamesThePath()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"missing_{Guid.NewGuid():N}");

        var error = Assert.Throws<VocoderConfigException>(() => VocoderProfile.Load(directory));

        Assert.Contains(Path.Combine(directory, "vocoder.json"), error.Message, StringComparison.Ordinal);
    }
}
