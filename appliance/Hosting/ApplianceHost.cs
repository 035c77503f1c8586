using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Audio.Alsa;
using StepAudio.Appliance.Hardware.Buttons;
using StepAudio.Appliance.Hardware.LedRing;
using StepAudio.Engine.Pipeline;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// The service systemd starts: configuration (appsettings.json, an optional site file,
/// <c>STEPAUDIO__</c> environment variables), validated options, the systemd lifetime
/// (READY, STOPPING, STATUS, our own WATCHDOG), ALSA capture and playback, buttons and LED ring.
/// </summary>
internal static partial class ApplianceHost
{
    /// <summary>The site configuration file read after appsettings.json when present.</summary>
    public const string SiteConfigPath = "/etc/stepaudio-edge/site.json";

    /// <summary>Builds the host; <paramref name="customize"/> lets tests swap hardware for fakes.</summary>
    public static IHost Build(string? extraConfig = null, Action<HostApplicationBuilder>? customize = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "stepaudio-edge",
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = false,
        });
        // The box's own settings (server, broker, voice) live outside the image, so an update keeps them.
        builder.Configuration.AddJsonFile(SiteConfigPath, optional: true, reloadOnChange: false);
        if (extraConfig is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(extraConfig), optional: false);
        }

        builder.Configuration.AddEnvironmentVariables("STEPAUDIO__");
        var services = builder.Services;
        services.AddApplianceOptions(builder.Configuration);
        AddServiceManager(services);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<MuteGate>();
        services.AddSingleton<AudioMetrics>();
        services.AddSingleton<IAudioCapture>(sp => new AlsaCapture(
            sp.GetRequiredService<IOptions<AlsaCaptureOptions>>().Value, sp.GetRequiredService<ILogger<AlsaCapture>>(), sp.GetRequiredService<AudioMetrics>()));
        services.AddSingleton<IAudioPlayback>(sp =>
        {
            var playback = new AlsaPlayback(
                sp.GetRequiredService<IOptions<AlsaPlaybackOptions>>().Value, sp.GetRequiredService<ILogger<AlsaPlayback>>(), sp.GetRequiredService<AudioMetrics>());
            playback.Start();
            return playback;
        });
        services.AddSingleton<IAudioOutput>(sp => sp.GetRequiredService<IAudioPlayback>());
        services.AddSingleton(sp => new OptionalLedRing(OpenLedRing(sp)));
        services.AddSingleton<IPipelineEventSink>(sp => new DeviceStatusSink(sp.GetRequiredService<ILogger<DeviceStatusSink>>(), sp.GetRequiredService<OptionalLedRing>().Controller));
        services.AddSingleton(sp => new PipelineMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));

        services.AddSingleton<IWakeArbiter>(AlwaysAnswer.Instance);
        services.AddSingleton<ConversationService>();
        services.AddSingleton<IAudioHeartbeat>(sp => sp.GetRequiredService<ConversationService>());
        services.AddHostedService(sp => sp.GetRequiredService<ConversationService>());
        services.AddHostedService<WatchdogService>();
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
