using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using StepAudio.Appliance.Composition;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Audio.Alsa;
using StepAudio.Appliance.Hardware.Buttons;
using StepAudio.Appliance.Hardware.LedRing;
using StepAudio.Appliance.Fleet;
using StepAudio.Appliance.Tools;
using StepAudio.Engine.Echo;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Pipeline.Turns;
using StepAudio.Ops.Arbitration;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Config;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Telemetry;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// The service systemd starts: configuration (appsettings.json, the site file on the data
/// partition, systemd credentials, <c>STEPAUDIO__</c> environment variables), validated options, the systemd lifetime
/// (READY, STOPPING, STATUS, our own WATCHDOG), ALSA capture and playback, buttons and LED ring.
/// </summary>
internal static partial class ApplianceHost
{
    /// <summary>The site configuration file's name in the state directory, read after appsettings.json when present.</summary>
    public const string SiteConfigFileName = "site.json";

    /// <summary>
    /// Where a box keeps its site configuration: the state directory, which is the data partition
    /// (<c>/var/lib/stepaudio-edge</c>), so an update of the A/B slot keeps it.
    /// </summary>
    public const string SiteConfigPath = "/var/lib/stepaudio-edge/" + SiteConfigFileName;

    /// <summary>The site file for a state directory (<c>Hosting:StateDirectory</c>, else <c>$STATE_DIRECTORY</c>, else the default).</summary>
    public static string SiteConfigPathFor(string? stateDirectory) =>
        Path.Combine(stateDirectory is { Length: > 0 } ? stateDirectory : HostingOptions.DefaultStateDirectory, SiteConfigFileName);

    /// <summary>Builds the host; <paramref name="customize"/> lets tests swap hardware for fakes.</summary>
    /// <param name="extraConfig">A JSON file applied after appsettings.json and the site file, before credentials and the environment.</param>
    /// <param name="settings">Settings applied after every file and the environment, before anything reads them (tests).</param>
    /// <param name="customize">Service replacements, applied last (tests swap hardware for fakes).</param>
    public static IHost Build(string? extraConfig = null, Action<HostApplicationBuilder>? customize = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "stepaudio-edge",
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = false,
        });
        // Lowest of all: where the models and the voice are when nothing names them (DefaultLocations).
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultLocations.Settings() });

        var siteIndex = builder.Configuration.Sources.Count;
        if (extraConfig is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(extraConfig), optional: false);
        }

        // Secrets (server key, broker password) come from systemd, never from a world-readable file.
        builder.Configuration.AddSystemdCredentials(SystemdCredentials.DirectoryFromEnvironment());
        builder.Configuration.AddEnvironmentVariables("STEPAUDIO__");
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        // The box's own settings (server, broker, voice) live on the data partition, outside the A/B
        // slot, so an update keeps them; the state directory is known only once the sources above are.
        var site = new JsonConfigurationSource
        {
            Path = SiteConfigPathFor(builder.Configuration["Hosting:StateDirectory"]),
            Optional = true,
            ReloadOnChange = false,
        };
        site.ResolveFileProvider();
        builder.Configuration.Sources.Insert(siteIndex, site);

        var services = builder.Services;
        services.AddApplianceOptions();
        AddServiceManager(services);
        if (builder.Configuration.GetValue("Hosting:Fleet", defaultValue: true))
        {
            FleetRegistration.AddFleet(builder);
            Ota.OtaRegistration.AddOta(builder);
        }

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<MuteGate>();
        services.AddSingleton<AudioMetrics>();
        services.AddSingleton<IAudioCapture>(sp => new AlsaCapture(
            sp.GetRequiredService<IOptions<AlsaCaptureOptions>>().Value, sp.GetRequiredService<ILogger<AlsaCapture>>(), sp.GetRequiredService<AudioMetrics>()));
        // What the loudspeaker plays, for the echo canceller on the capture side.
        services.AddSingleton(sp => PlaybackReference.FromOptions(sp.GetRequiredService<IOptions<EchoCancellerOptions>>().Value));
        services.AddSingleton<IAudioPlayback>(sp =>
        {
            var playback = new AlsaPlayback(
                sp.GetRequiredService<IOptions<AlsaPlaybackOptions>>().Value, sp.GetRequiredService<ILogger<AlsaPlayback>>(), sp.GetRequiredService<AudioMetrics>(),
                sp.GetRequiredService<PlaybackReference>());
            playback.Start();
            return playback;
        });
        services.AddSingleton<IAudioOutput>(sp => sp.GetRequiredService<IAudioPlayback>());
        services.AddSingleton(sp => new OptionalLedRing(OpenLedRing(sp)));
        services.AddSingleton<IPipelineEventSink>(sp => new DeviceStatusSink(sp.GetRequiredService<ILogger<DeviceStatusSink>>(), sp.GetRequiredService<OptionalLedRing>().Controller));
        services.AddSingleton(sp => new PipelineMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp => ApplianceSettings.Bind(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<FullDuplexFactory>();
        services.AddSingleton<LiveListeningOptions>();
        services.AddSingleton(sp => new ConversationEngineFactory(
            sp.GetRequiredService<ApplianceSettings>(), sp.GetServices<IPipelineEventSink>(), sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<IWakeArbiter>(),
            sp.GetRequiredService<FullDuplexFactory>(), sp.GetRequiredService<IOptions<HostingOptions>>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetService<ApplianceTools>()));

        services.TryAddSingleton<IWakeArbiter>(AlwaysAnswer.Instance);
        services.AddSingleton<ConversationService>();
        services.AddSingleton<IAudioHeartbeat>(sp => sp.GetRequiredService<ConversationService>());
        services.AddSingleton<IConversationControl>(sp => sp.GetRequiredService<ConversationService>());
        services.AddHostedService(sp => sp.GetRequiredService<ConversationService>());
        services.AddHostedService<WatchdogService>();
        services.AddApplianceTools();
        if (builder.Configuration.GetValue<bool>("Hosting:Buttons"))
        {
            services.AddHostedService<HardwareService>();
        }

        customize?.Invoke(builder);
        return builder.Build();
    }

    /// <summary>
    /// Under systemd, the stock integration (journal log format, READY/STOPPING). With a
    /// NOTIFY_SOCKET but no systemd parent (a test, another supervisor) the same lifetime and
    /// notifier. Otherwise a notifier that says nothing.
    /// </summary>
    private static void AddServiceManager(IServiceCollection services)
    {
        if (SystemdHelpers.IsSystemdService())
        {
            services.AddSystemd();
        }
        else if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
        else
        {
            services.AddSingleton<ISystemdNotifier, SilentNotifier>();
        }
    }

    private static LedRingController? OpenLedRing(IServiceProvider services)
    {
        var hosting = services.GetRequiredService<IOptions<HostingOptions>>().Value;
        if (!hosting.LedRing)
        {
            return null;
        }

        var options = services.GetRequiredService<IOptions<LedRingOptions>>().Value;
        try
        {
            return new LedRingController(LedStripFactory.Open(options), options, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<LedRingController>>());
        }
        catch (LedRingUnavailableException ex)
        {
            Log.LedRingUnavailable(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApplianceHost)), ex.Message);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3040, Level = LogLevel.Warning, Message = "The LED ring is configured but unavailable: {Reason}")]
        public static partial void LedRingUnavailable(ILogger logger, string reason);
    }
}

/// <summary>The LED ring when the box has one and it opened; null otherwise.</summary>
internal sealed record OptionalLedRing(LedRingController? Controller) : IDisposable
{
    public void Dispose() => Controller?.Dispose();
}
