using System.Collections.Concurrent;

namespace StepAudio.StandInServer;

public sealed partial class StandInGpuServer
{
    private readonly ConcurrentQueue<string> _weatherLocations = new();

    /// <summary>The <c>location</c> of every <c>/weather</c> request, oldest first.</summary>
    public IReadOnlyList<string> WeatherLocations => _weatherLocations.ToArray();

    /// <summary>The weather stand-in's URL template, for <c>Tools:Weather:UrlTemplate</c>.</summary>
    public string WeatherUrlTemplate => new Uri(BaseAddress, "weather").AbsoluteUri + "?location={location}";

    internal void RecordWeather(string location) => _weatherLocations.Enqueue(location);
}
