using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StepAudio.Appliance.Hosting;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Pipeline.Turns;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Config;
using StepAudio.Ops.Fleet;

namespace StepAudio.Appliance.Fleet;

/// <summary>
/// Puts the fleet link into the service (ops' <see cref="FleetLinkServiceCollectionExtensions.AddFleetLink"/>), with
/// what only this device knows: the desired configuration checked by the service's own validators, the settings a
/// fleet may change, the speaker's commands, its events published, and home arbitration as its wake arbiter.
/// </summary>
internal static class FleetRegistration
{
    /// <summary>Registers the link, its device-side handlers and the hosted service that runs it.</summary>
    public static void AddFleet(HostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var stateDirectory = configuration["Hosting:StateDirectory"] is { Length: > 0 } configured ? configured : HostingOptions.DefaultStateDirectory;
        builder.Services
            .AddFleetLink(configuration, stateDirectory, FleetSettableSettings.Patterns)
            .AddHomeArbitration()
            .AddSingleton<IDesiredConfigValidator>(_ => new ApplianceConfigValidator(configuration))
            .AddSingleton<ICommandHandler, SayCommandHandler>()
            .AddSingleton<ICommandHandler, SetVolumeCommandHandler>()
            .AddSingleton<ICommandHandler, MuteCommandHandler>()
            .AddSingleton<ICommandHandler, RestartCommandHandler>()
            .AddSingleton<ICommandHandler>(_ => new DiagnoseCommandHandler(configuration))
            .AddSingleton<IPipelineEventSink>(sp => new FleetEventSink(sp.GetRequiredService<FleetLink>()))
            .AddSingleton<IWakeArbiter>(sp => new HomeWakeArbiter(sp.GetRequiredService<Ops.Arbitration.HomeArbitrator>()))
            .AddHostedService<FleetService>();
    }
}
