using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Hosting;
using StepAudio.Appliance.Storage;
using StepAudio.Appliance.Tools.Weather;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Tools.Timers;
using StepAudio.Engine.Tools.Volume;
using StepAudio.Engine.Tools.Weather;

namespace StepAudio.Appliance.Tools;

/// <summary>
/// The device's tools, built once from <c>Tools</c> options: timers and the volume in
/// <c>{Tools:StateDirectory or Hosting:StateDirectory/tools}</c>, ringing and gain on the playback
/// output, weather through the configured HTTP service (or an injected provider), and the
/// <see cref="ToolConversation"/> the turn coordinator offers the model (null when tools are off).
/// </summary>
internal sealed class ApplianceTools : IAsyncDisposable
{
    private readonly HttpClient? _weatherHttp;

    public ApplianceTools(
        IOptions<ToolsOptions> options,
        IOptions<HostingOptions> hosting,
        IAudioOutput output,
        IVolumeControl volume,
        TimeProvider time,
        ILoggerFactory loggers,
        IWeatherProvider? weather = null)
    {
        Options = options.Value;
        StateDirectory = Options.StateDirectory.Length > 0 ? Options.StateDirectory : Path.Combine(hosting.Value.StateDirectory, "tools");
        Timers = new TimerService(new TimerStore(StateDirectory, AtomicFileWriter.Instance), output, Options.Timers, time, loggers.CreateLogger<TimerService>());
        Volume = new VolumeSetting(volume, StateDirectory, AtomicFileWriter.Instance, Options.Volume);
        if (weather is null && Options.Weather.UrlTemplate.Length > 0)
        {
            _weatherHttp = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
            {
                Timeout = Timeout.InfiniteTimeSpan, // the provider's own timeout bounds each request
            };
            weather = new HttpWeatherProvider(_weatherHttp, Options.Weather, time);
        }

        var tools = new List<ITool> { new SetTimerTool(Timers), new CancelTimerTool(Timers), new ListTimersTool(Timers), new SetVolumeTool(Volume) };
        if (weather is not null)
        {
            tools.Add(new GetWeatherTool(weather, Options.Weather));
        }

        Runner = new ToolRunner(tools, Options, loggers.CreateLogger<ToolRunner>(), time);
        Conversation = Options.Enabled ? new ToolConversation(Runner, loggers.CreateLogger<ToolConversation>()) : null;
    }

    /// <summary>The options in force.</summary>
    public ToolsOptions Options { get; }

    /// <summary>Where timers.json and volume.json live.</summary>
    public string StateDirectory { get; }

    /// <summary>The local timers.</summary>
    public TimerService Timers { get; }

    /// <summary>The persisted volume.</summary>
    public VolumeSetting Volume { get; }

    /// <summary>Runs the model's calls.</summary>
    public ToolRunner Runner { get; }

    /// <summary>What the coordinator offers the model; null when <see cref="ToolsOptions.Enabled"/> is off.</summary>
    public ToolConversation? Conversation { get; }

    public async ValueTask DisposeAsync()
    {
        await Timers.DisposeAsync();
        _weatherHttp?.Dispose();
    }
}
