using Microsoft.Extensions.Logging;
using StepAudio.Appliance.Hardware.LedRing;
using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// Hangs the LED ring and the log off the pipeline's events (never inside the pipeline): wake
/// shows listening, the end of the turn thinking, the first reply audio speaking, the end idle; a
/// follow-up window glows dim blue, and a prompt saying the server failed leaves the ring amber.
/// </summary>
internal sealed partial class DeviceStatusSink(ILogger<DeviceStatusSink> logger, LedRingController? leds = null) : IPipelineEventSink
{
    public void OnEvent(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        Log.PipelineEvent(logger, pipelineEvent.Type, pipelineEvent.AtMs);
        var state = pipelineEvent switch
        {
            WakeDetected => DeviceLedState.Listening,
            EndOfTurnDetected => DeviceLedState.Thinking,
            FirstAudioOut => DeviceLedState.Speaking,
            TurnEnded or NoSpeechHeard => DeviceLedState.Idle,
            TurnFailed => DeviceLedState.Error,
            FollowUpOpened => DeviceLedState.FollowUp,
            FollowUpStarted => DeviceLedState.Listening,
            FollowUpEnded => DeviceLedState.Idle,
            OfflinePromptPlayed => DeviceLedState.Offline,
            _ => (DeviceLedState?)null,
        };
        if (state is { } led && leds is not null && leds.State != DeviceLedState.Muted)
        {
            leds.SetState(led);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3020, Level = LogLevel.Debug, Message = "Pipeline event {Type} at {AtMs} ms")]
        public static partial void PipelineEvent(ILogger logger, string type, double atMs);
    }
}
