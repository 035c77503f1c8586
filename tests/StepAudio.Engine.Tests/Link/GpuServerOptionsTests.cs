using Microsoft.Extensions.Options;
using StepAudio.Engine.Link;
using Xunit;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Engine.Tests.Link;

public sealed class GpuServerOptionsTests
{
    [Fact]
    public void Validate_WhenDefaults_ThenSucceeds()
    {
        Assert.True(new GpuServerOptionsValidator().Validate(null, new GpuServerOptions()).Succeeded);
    }

    [Theory]
    [InlineData("http://gpu.example:8000", "key", false, false)]
    [InlineData("http://10.0.0.5:8000", "key", false, false)]
    [InlineData("http://10.0.0.5:8000", "key", true, true)]
    [InlineData("https://gpu.example", "key", false, true)]
    [InlineData("http://127.0.0.1:8000", "key", false, true)]
    [InlineData("http://127.8.9.10:8000", "key", false, true)]
    [InlineData("http://[::1]:8000", "key", false, true)]
    [InlineData("http://localhost:8000", "key", false, true)]
    [InlineData("http://gpu.example:8000", null, false, true)]
    public void Validate_WhenBearerKeyWouldCrossTheNetworkInClear_ThenFailsUnlessAllowed(string address, string? key, bool allow, bool valid)
    {
        var options = new GpuServerOptions { BaseAddress = new Uri(address), ApiKey = key, AllowPlaintextApiKey = allow };

        var result = new GpuServerOptionsValidator().Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("GpuServer:AllowPlaintextApiKey", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Constructor_WhenPlaintextKeyIsAllowed_ThenWarnsOnce()
    {
        var logger = new ListLogger();
        var options = new GpuServerOptions { BaseAddress = new Uri("http://10.0.0.5:8000"), ApiKey = "key", AllowPlaintextApiKey = true };

        using var client = new GpuServerClient(options, logger);

        Assert.Equal(1314, Assert.Single(logger.Warnings));
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger<GpuServerClient>
    {
        public List<int> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == Microsoft.Extensions.Logging.LogLevel.Warning)
            {
                Warnings.Add(eventId.Id);
            }
        }
    }

    [Fact]
    public void Validate_WhenBaseAddressIsNotHttp_ThenTheFailureNamesTheField()
    {
        var options = new GpuServerOptions { BaseAddress = new Uri("ftp://127.0.0.1/") };

        var result = new GpuServerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("BaseAddress", result.FailureMessage);
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
