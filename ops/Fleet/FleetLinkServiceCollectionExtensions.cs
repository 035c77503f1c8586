using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Arbitration;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Config;
using StepAudio.Ops.Settings;
using StepAudio.Ops.Telemetry;

namespace StepAudio.Ops.Fleet;

/// <summary>
/// The fleet link as a host adds it, the way <c>AddSystemd()</c> is added: one call registers the validated
/// <c>Fleet</c> section, the desired configuration layered over the host's configuration, the command
/// dispatcher, the telemetry collector and the link itself. The device adds its own command handlers
/// (<see cref="ICommandHandler"/>) and configuration validators (<see cref="IDesiredConfigValidator"/>) beside it.
/// </summary>
public static class FleetLinkServiceCollectionExtensions
{
    /// <summary>
    /// Registers the fleet link. The fleet's desired configuration is kept under <paramref name="stateDirectory"/>
    /// (<c>config/</c>) and added to <paramref name="configuration"/> as its last source, so IOptionsMonitor sees the
    /// fleet's changes live; <paramref name="settable"/> lists the setting patterns a fleet may change (null: any).
    /// </summary>
    public static IServiceCollection AddFleetLink(
        this IServiceCollection services, IConfigurationManager configuration, string stateDirectory, IReadOnlyList<string>? settable = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        var source = new DesiredConfigSource(new DesiredConfigStore(Path.Combine(stateDirectory, "config")));
        configuration.Add(source);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(source);
        services.AddValidatedSection<FleetLinkOptions, FleetLinkOptionsValidator>(FleetLinkOptions.SectionName)
            .PostConfigure(o => o.ResolveDeviceId());
        services.AddSingleton(sp => new DesiredConfigProcessor(
            source, sp.GetServices<IDesiredConfigValidator>(), sp.GetRequiredService<IOptions<FleetLinkOptions>>().Value.MaxInboundPayloadBytes,
            sp.GetRequiredService<ILogger<DesiredConfigProcessor>>(), settable: settable));
        services.AddSingleton<ICommandHandler, PingCommandHandler>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FleetLinkOptions>>().Value;
            return new CommandDispatcher(sp.GetServices<ICommandHandler>(), options.CommandTimeout, options.MaxInboundPayloadBytes, sp.GetRequiredService<ILogger<CommandDispatcher>>());
        });
        services.AddSingleton(sp => new TelemetryCollector(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new FleetLink(
            sp.GetRequiredService<IOptions<FleetLinkOptions>>(), sp.GetRequiredService<DesiredConfigProcessor>(), sp.GetRequiredService<CommandDispatcher>(),
            sp.GetRequiredService<TelemetryCollector>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Which speaker of a home answers a wake several of them heard: the validated <c>Arbitration</c> section and its arbitrator over the fleet link.</summary>
    public static IServiceCollection AddHomeArbitration(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedSection<HomeArbitrationOptions, HomeArbitrationOptionsValidator>(HomeArbitrationOptions.SectionName);
        services.AddSingleton(sp => new HomeArbitrator(
            sp.GetRequiredService<FleetLink>(), sp.GetRequiredService<IOptions<HomeArbitrationOptions>>(), sp.GetRequiredService<ILogger<HomeArbitrator>>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
