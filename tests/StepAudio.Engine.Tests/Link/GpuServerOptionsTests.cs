using Microsoft.Extensions.Options;
using StepAudio.Engine.Link;
using Xunit;

namespace StepAudio.Engine.Tests.Link;

public sealed class GpuServerOptionsTests
{
    [Fact]
    public void Validate_WhenDefaults_ThenSucceeds()
    {
        Assert.True(new GpuServerOptionsValidator().Validate(null, new GpuServerOptions()).Succeeded);
    }

    [Fact]
    public void Constructor_WhenBaseAddressIsNotHttp_ThenOptionsValidationExceptionNamesTheField()
    {
        var options = new GpuServerOptions { BaseAddress = new Uri("ftp://127.0.0.1/") };

        var ex = Assert.Throws<OptionsValidationException>(() => new GpuServerClient(options));

        Assert.Contains("BaseAddress", ex.Message);
    }

    [Theory]
    [InlineData(nameof(GpuServerOptions.ChatTopP))]
    [InlineData(nameof(GpuServerOptions.TtsMaxTokens))]
    [InlineData(nameof(GpuServerOptions.FirstTokenTimeout))]
    [InlineData(nameof(GpuServerOptions.ChatModel))]
    public void Validate_WhenAFieldIsOutOfRange_ThenTheFailureNamesIt(string field)
    {
        var options = new GpuServerOptions();
        switch (field)
        {
            case nameof(GpuServerOptions.ChatTopP): options.ChatTopP = 0; break;
            case nameof(GpuServerOptions.TtsMaxTokens): options.TtsMaxTokens = 0; break;
            case nameof(GpuServerOptions.FirstTokenTimeout): options.FirstTokenTimeout = TimeSpan.Zero; break;
            case nameof(GpuServerOptions.ChatModel): options.ChatModel = string.Empty; break;
        }

        ValidateOptionsResult result = new GpuServerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(field, result.FailureMessage);
    }
}
