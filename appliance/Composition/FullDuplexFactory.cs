using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Audio;
using StepAudio.Engine.Echo;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;

namespace StepAudio.Appliance.Composition;

/// <summary>
/// Full duplex when the output can be stopped at once (a real speaker): the loop hears the room
/// through the echo canceller, fed by the reference the playback thread writes, and may barge in.
/// </summary>
internal sealed partial class FullDuplexFactory(
    IOptions<EchoCancellerOptions> echo, IOptions<BargeInOptions> bargeIn, PlaybackReference reference, ILogger<FullDuplexFactory> logger)
{
    /// <summary>The duplex for <paramref name="output"/>; null when it cannot be interrupted (a file, a pipe).</summary>
    public FullDuplex? CreateFor(IAudioOutput output)
    {
        if (output is not IInterruptibleOutput interruptible)
        {
            return null;
        }

        var echoOptions = echo.Value;
        var bargeInOptions = bargeIn.Value;
        var duplex = new FullDuplex(new EchoStage(echoOptions, reference), interruptible, bargeInOptions, ownsEcho: true);
        Log.DuplexReady(logger, echoOptions.Enabled, echoOptions.FilterLengthMs, echoOptions.PlaybackDelayMs, bargeInOptions.BackchannelMs);
        return duplex;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3006, Level = LogLevel.Information,
            Message = "Full duplex: echo cancellation {Enabled} ({FilterMs} ms filter, {DelayMs} ms playback delay); speech over {BackchannelMs} ms barges in")]
        public static partial void DuplexReady(ILogger logger, bool enabled, int filterMs, int delayMs, int backchannelMs);
    }
}
