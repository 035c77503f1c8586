using StepAudio.ContractModels.Vocoder;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Vocoder.Flow;
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
    public void Parse_WhenContractV2Config_ThenEditXRatesLayoutAndChunking()
    {
        var profile = VocoderProfile.Parse(VocoderContractModels.V2ProfileJson, "vocoder.json");

        Assert.Equal("v2", profile.Name);
        Assert.Equal(24000, profile.SampleRate);
        Assert.Equal(480, profile.Hop);
        Assert.Equal(FlowTokenLayout.V2Pairs, profile.TokenLayout);
        Assert.Equal(2, profile.TokenWidth);
        Assert.Equal(2, profile.EncoderFramesPerToken);
        Assert.Equal([15, 24, 48], new[] { profile.FirstChunkTokens, profile.ChunkTokens, profile.MaxChunkTokens });
        Assert.Equal(8, profile.HiftCacheFrames);
        Assert.Equal(30, profile.FramesForTokens(15)); // 15 tokens at 25 Hz are 0.6 s: 30 frames of 480 samples at 24 kHz
        Assert.Equal(125 / 3.0, profile.AudioIdRate, 9); // 3 pairs per 5 ids: the TTS model's 41.67 ids/s
    }

    [Fact]
    public void Parse_WhenUpsamplingEncoderDisagreesWithTheRates_ThenErrorNamesTheField()
    {
        var json = VocoderContractModels.V2ProfileJson.Replace("\"hop\": 480", "\"hop\": 400", StringComparison.Ordinal);

        var error = Assert.Throws<VocoderConfigException>(() => VocoderProfile.Parse(json, "vocoder/v2/vocoder.json"));

        Assert.Contains("'encoderFramesPerToken' (2)", error.Message, StringComparison.Ordinal);
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
    [InlineData("\"firstLookAheadTokens\": 5", "\"firstLookAheadTokens\": 25", "'firstLookAheadTokens' (25) must not exceed 'overlapTokens' (20)")]
    [InlineData("\"firstHiftCacheFrames\": 6", "\"firstHiftCacheFrames\": 30", "'firstHiftCacheFrames' (30) must not exceed 'hiftCacheFrames' (20)")]
    [InlineData("\"encoderFramesPerToken\": 1,", "", "'encoderFramesPerToken' is missing")]
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
