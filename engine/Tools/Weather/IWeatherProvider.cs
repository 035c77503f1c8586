namespace StepAudio.Engine.Tools.Weather;

/// <summary>Where live weather comes from.</summary>
public interface IWeatherProvider
{
    /// <summary>The weather now at <paramref name="location"/>.</summary>
    /// <exception cref="WeatherProviderException">The service failed, timed out or answered something unusable.</exception>
    Task<WeatherReport> GetCurrentAsync(string location, CancellationToken cancellationToken);
}

/// <summary>The weather now at one place.</summary>
/// <param name="Location">The place, as the service names it.</param>
/// <param name="TemperatureC">Air temperature in degrees Celsius.</param>
/// <param name="Condition">A few words: "light rain", "sunny".</param>
/// <param name="HumidityPercent">Relative humidity, when known.</param>
/// <param name="WindKph">Wind speed in km/h, when known.</param>
public sealed record WeatherReport(string Location, double TemperatureC, string Condition, double? HumidityPercent, double? WindKph);

/// <summary>The weather service failed; the message says how, <see cref="ToolUnavailableException.Spoken"/> says it to the user.</summary>
public sealed class WeatherProviderException : ToolUnavailableException
{
    public WeatherProviderException()
    {
    }

    public WeatherProviderException(string message)
        : base(message, "Sorry, I couldn't get the weather right now.")
    {
    }

    public WeatherProviderException(string message, Exception innerException)
        : base(message, "Sorry, I couldn't get the weather right now.", innerException)
    {
    }

    public WeatherProviderException(string message, string spoken, Exception? innerException = null)
        : base(message, spoken, innerException)
    {
    }
}
