using StepAudio.Appliance.Tools.Weather;
using StepAudio.Engine.Tests.Link;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Tools.Weather;

namespace StepAudio.Engine.Tests.Tools;

public sealed class HttpWeatherProviderTests : StandInTestBase, IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task GetCurrentAsync_WhenTheServiceAnswers_ReadsTheDocumentedShapeAndEscapesThePlace()
    {
        WeatherReport report = await Provider().GetCurrentAsync("São Paulo & co", CancellationToken.None);

        Assert.Equal(new WeatherReport("São Paulo & co", 21.5, "partly cloudy", 60, 14), report);
        Assert.Equal(["São Paulo & co"], Server.WeatherLocations);
    }

    [Fact]
    public async Task GetCurrentAsync_WhenTheServiceFails_ThrowsNamingTheStatus()
    {
        Server.Options.WeatherFailWithStatus = 502;

        var ex = await Assert.ThrowsAsync<WeatherProviderException>(() => Provider().GetCurrentAsync("Rome", CancellationToken.None));

        Assert.Contains("HTTP 502", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCurrentAsync_WhenTheServiceIsSlow_ThrowsWithinTheTimeoutAndSaysItDidNotAnswerInTime()
    {
        Server.Options.WeatherDelay = TimeSpan.FromSeconds(30);

        var ex = await Assert.ThrowsAsync<WeatherProviderException>(
            () => Provider(TimeSpan.FromMilliseconds(150)).GetCurrentAsync("Rome", CancellationToken.None).WaitAsync(WaitLimit));

        Assert.Contains("within 150 ms", ex.Message, StringComparison.Ordinal);
        Assert.Equal("Sorry, the weather service did not answer in time.", ex.Spoken);
    }

    [Theory]
    [InlineData("sunny and warm", "not valid JSON")]
    [InlineData("""{"location": "Rome", "condition": "sunny"}""", "'temperature_c' is missing")]
    [InlineData("""{"location": "Rome", "temperature_c": "hot", "condition": "sunny"}""", "'temperature_c' is missing or not a number")]
    [InlineData("""{"location": "", "temperature_c": 20, "condition": "sunny"}""", "'location' is missing")]
    [InlineData("""{"location": "Rome", "temperature_c": 20, "condition": "sunny", "wind_kph": "strong"}""", "'wind_kph' is not a number")]
    public async Task GetCurrentAsync_WhenTheServiceSendsGarbage_ThrowsSayingWhatIsWrong(string body, string expected)
    {
        Server.Options.WeatherBody = body;

        var ex = await Assert.ThrowsAsync<WeatherProviderException>(() => Provider().GetCurrentAsync("Rome", CancellationToken.None));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WeatherOptions_WhenTheTemplateHasNoPlaceholder_FailsValidationNamingTheKey()
    {
        var options = new ToolsOptions { Weather = { UrlTemplate = "http://127.0.0.1:1/weather" } };

        var result = new ToolsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Tools:Weather:UrlTemplate must contain '{location}'", result.FailureMessage, StringComparison.Ordinal);
    }

    private HttpWeatherProvider Provider(TimeSpan? timeout = null) =>
        new(_http, new WeatherOptions { UrlTemplate = Server.WeatherUrlTemplate, Timeout = timeout ?? TimeSpan.FromSeconds(5) });
}
