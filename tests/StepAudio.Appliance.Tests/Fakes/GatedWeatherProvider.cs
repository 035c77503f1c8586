using StepAudio.Engine.Tools.Weather;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>A weather service that answers only when the test opens the gate, and says when it was asked.</summary>
internal sealed class GatedWeatherProvider : IWeatherProvider
{
    public TaskCompletionSource<string> Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<WeatherReport> GetCurrentAsync(string location, CancellationToken cancellationToken)
    {
        Asked.TrySetResult(location);
        await Gate.Task.WaitAsync(cancellationToken);
        return new WeatherReport(location, 17, "drizzle", 90, 8);
    }
}
