using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Composition;
using StepAudio.Appliance.Hosting;
using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Link;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.Engine.WakeWord;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Ota.Download;
using StepAudio.Ops.Ota.Rauc;
using StepAudio.Ops.Ota.State;
using StepAudio.Ops.Settings;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// Puts the update agent into the service (called with the fleet link): options from <c>Ota</c>
/// (the agent's keys, this side's <see cref="OtaServiceOptions"/>) and <c>Ota:Rauc</c>, validated
/// at start; the real RAUC client, downloader and state store; the channel over the fleet link;
/// the conversation as the device's activity; systemd's reboot; the kernel's boot id; the
/// acoustic health probe. Tests replace <see cref="ISystemReboot"/> and <see cref="IBootIdentity"/>.
/// </summary>
internal static class OtaRegistration
{
    /// <summary>Registers the agent when it is enabled, else a notice that says why not.</summary>
    public static void AddOta(HostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        var section = configuration.GetSection(OtaServiceOptions.SectionName);
        if (DisabledReason(section) is { } reason)
        {
            services.AddHostedService(sp => new OtaDisabledNotice(reason, sp.GetRequiredService<ILogger<OtaDisabledNotice>>()));
            return;
        }

        var stateRoot = configuration["Hosting:StateDirectory"] is { Length: > 0 } configured ? configured : HostingOptions.DefaultStateDirectory;
        services.AddValidatedSection<OtaAgentOptions, OtaAgentOptionsValidator>(OtaServiceOptions.SectionName)
            .PostConfigure(o =>
            {
                // The agent's files follow the service's state directory unless the section places them.
                o.StateDirectory = section[nameof(OtaAgentOptions.StateDirectory)] is { Length: > 0 } state ? state : Path.Combine(stateRoot, "ota");
                o.DownloadDirectory = section[nameof(OtaAgentOptions.DownloadDirectory)] is { Length: > 0 } download ? download : Path.Combine(o.StateDirectory, "download");
            });
        services.AddValidatedSection<OtaServiceOptions, OtaServiceOptionsValidator>(OtaServiceOptions.SectionName);
        services.AddValidatedSection<RaucCliOptions, RaucCliOptionsValidator>(OtaServiceOptions.SectionName + ":Rauc");

        services.AddSingleton<IRaucClient, RaucCli>();
        services.AddSingleton(sp => new OtaDownloadHttp(new HttpClient()));
        services.AddSingleton(sp => new BundleDownloader(
            sp.GetRequiredService<OtaDownloadHttp>().Client, sp.GetRequiredService<IOptions<OtaAgentOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BundleDownloader>>()));
        services.AddSingleton(sp => new OtaStateStore(sp.GetRequiredService<IOptions<OtaAgentOptions>>().Value.StateDirectory, sp.GetRequiredService<ILogger<OtaStateStore>>()));
        services.AddSingleton<IDeviceActivity>(sp => new ConversationActivity(sp.GetRequiredService<IConversationControl>()));
        services.TryAddSingleton<ISystemReboot, SystemdReboot>();
        services.TryAddSingleton<IBootIdentity, KernelBootIdentity>();
        services.AddSingleton(sp => new ServerReachability(sp.GetRequiredService<IOptions<GpuServerOptions>>().Value, sp.GetRequiredService<IOptions<OtaServiceOptions>>().Value.ServerTimeout));
        services.AddSingleton(sp => new HealthClipRunner(sp.GetRequiredService<ApplianceSettings>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp =>
        {
            var link = sp.GetRequiredService<FleetLink>();
            return new LinkReachability(() => link.State, sp.GetRequiredService<ServerReachability>());
        });
        services.AddSingleton<IHealthProbe>(sp => new AcousticHealthProbe(
                sp.GetRequiredService<IAudioHeartbeat>(), sp.GetRequiredService<HealthClipRunner>(), sp.GetRequiredService<LinkReachability>(),
                sp.GetRequiredService<OtaStateStore>(), sp.GetRequiredService<IOptions<OtaAgentOptions>>().Value.StateDirectory,
                sp.GetRequiredService<IOptions<OtaServiceOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AcousticHealthProbe>>()));
        services.AddSingleton(sp => new FleetOtaChannel(sp.GetRequiredService<FleetLink>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FleetOtaChannel>>()));
        services.AddSingleton(sp =>
        {
            var fleetChannel = sp.GetRequiredService<FleetOtaChannel>();
            var store = sp.GetRequiredService<OtaStateStore>();
            var agentOptions = sp.GetRequiredService<IOptions<OtaAgentOptions>>();
            var channel = new BaselineRecordingChannel(
                fleetChannel, store, agentOptions.Value.StateDirectory, sp.GetRequiredService<LinkReachability>(), sp.GetRequiredService<TimeProvider>());
            var agent = new OtaAgent(
                channel,
                new OtaSlots(sp.GetRequiredService<IRaucClient>(), sp.GetRequiredService<ISystemReboot>(), sp.GetRequiredService<IBootIdentity>()),
                sp.GetRequiredService<BundleDownloader>(),
                store,
                new OtaDevice(sp.GetRequiredService<IDeviceActivity>(), sp.GetRequiredService<IHealthProbe>()),
                agentOptions,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OtaAgent>>());
            return agent;
        });
        services.AddHostedService<OtaService>();
    }

    /// <summary>Null when the agent should run; otherwise why it does not.</summary>
    internal static string? DisabledReason(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var systemConf = section["Rauc:ConfigPath"] is { Length: > 0 } conf ? conf : OtaServiceOptions.DefaultSystemConf;
        return section.GetValue<bool?>(nameof(OtaServiceOptions.Enabled)) switch
        {
            false => "Ota:Enabled is false.",
            null when !File.Exists(systemConf) => $"this box has no RAUC system configuration at {systemConf} (not an A/B image); set Ota:Enabled to true to run the agent anyway.",
            _ => null,
        };
    }
}

/// <summary>The downloader's HTTP client, owned by the container so it is disposed with the host.</summary>
internal sealed record OtaDownloadHttp(HttpClient Client) : IDisposable
{
    public void Dispose() => Client.Dispose();
}
