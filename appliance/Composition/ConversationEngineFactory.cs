using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Hosting;
using StepAudio.Appliance.Output;
using StepAudio.Appliance.Tools;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Pipeline.Turns;

namespace StepAudio.Appliance.Composition;

/// <summary>
/// Builds the service's pipeline and its capture front end from what the container holds, so the
/// service only runs them: the one place the device's engine is assembled (the command line
/// assembles its own through <see cref="ConversationEngine.CreateAsync"/>, without the device's extras).
/// </summary>
internal sealed class ConversationEngineFactory(
    ApplianceSettings settings,
    IEnumerable<IPipelineEventSink> sinks,
    PipelineMetrics metrics,
    IWakeArbiter arbiter,
    FullDuplexFactory duplex,
    IOptions<HostingOptions> hosting,
    ILoggerFactory loggers,
    ApplianceTools? tools = null)
{
    // The metrics see every event first; the sinks (status, fleet, files) after them.
    private readonly IPipelineEventSink _events = new FanOutEventSink([metrics, .. sinks]);

    /// <summary>Loads, checks and warms the pipeline playing into <paramref name="output"/>.</summary>
    public async Task<ConversationEngine> CreateAsync(IAudioOutput output, CancellationToken cancellationToken)
    {
        var extras = new ConversationExtras(arbiter, hosting.Value.StateDirectory, duplex.CreateFor(output), tools?.Conversation);
        var engine = await ConversationEngine.CreateAsync(settings, output, _events, loggers, cancellationToken, extras).ConfigureAwait(false);
        metrics.Observe(engine.Loop);
        return engine;
    }

    /// <summary>
    /// The front end for a capture <paramref name="format"/>, sized for four periods per call so a
    /// late period and the ones behind it pass in one go.
    /// </summary>
    /// <exception cref="ArgumentException">Audio:Channels does not fit the device's channel count.</exception>
    public CaptureFrontEnd CreateFrontEnd(AudioStreamFormat format) =>
        CaptureFrontEnd.FromOptions(settings.Channels, format.Channels, format.SampleRate, Math.Max(format.PeriodFrames, 1) * 4);
}
