using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tools.Volume;

namespace StepAudio.Appliance.Tools;

/// <summary>Registers the tools beside the conversation (options are bound with the others, section <c>Tools</c>).</summary>
internal static class ToolsRegistration
{
    public static IServiceCollection AddApplianceTools(this IServiceCollection services)
    {
        services.TryAddSingleton<IVolumeControl>(sp => new PlaybackVolume(sp.GetRequiredService<IAudioOutput>()));
        services.AddSingleton<ApplianceTools>();
        services.AddSingleton<IPipelineEventSink, RingStopSink>();
        services.AddHostedService<ToolsService>();
        return services;
    }
}
