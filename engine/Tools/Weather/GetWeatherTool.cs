using System.Text.Json;
using StepAudio.Engine.Link;
using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Tools.Weather;

/// <summary><c>get_weather</c>: the live weather at a place (or the configured home location).</summary>
public sealed class GetWeatherTool : ITool
{
    private const string Name = "get_weather";
    private readonly IWeatherProvider _provider;
    private readonly string _defaultLocation;

    public GetWeatherTool(IWeatherProvider provider, WeatherOptions options)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(options);
        _provider = provider;
        _defaultLocation = options.DefaultLocation.Trim();
        Definition = new ToolDefinition(
            Name,
            _defaultLocation.Length > 0
                ? $"Get the current weather for a place. Without a location, the speaker's home ({_defaultLocation}) is used."
                : "Get the current weather for a place.",
            _defaultLocation.Length > 0
                ? """{"type": "object", "properties": {"location": {"type": "string", "description": "City or place name."}}}"""
                : """{"type": "object", "properties": {"location": {"type": "string", "description": "City or place name."}}, "required": ["location"]}""");
    }

    /// <inheritdoc />
    public ToolDefinition Definition { get; }

    /// <inheritdoc />
    public async Task<ToolResult> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
    {
        if (!ToolArguments.TryGetString(arguments, Name, "location", out string location))
        {
            location = _defaultLocation.Length > 0
                ? _defaultLocation
                : throw new ToolArgumentException($"{Name}: 'location' is required (no default location is configured).");
        }

        WeatherReport report = await _provider.GetCurrentAsync(location, cancellationToken).ConfigureAwait(false);
        return ToolResult.Success(
            new
            {
                location = report.Location,
                temperature_c = report.TemperatureC,
                condition = report.Condition,
                humidity_percent = report.HumidityPercent,
                wind_kph = report.WindKph,
            },
            $"In {report.Location} it is {report.TemperatureC:0} degrees and {report.Condition}.");
    }
}
