using Microsoft.Extensions.Logging;

namespace StepAudio.Appliance.Hardware.Buttons;

public sealed partial class ButtonMonitor
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Buttons ready: mute on GPIO {MutePin}, action on GPIO {ActionPin} ({Polarity})")]
        public static partial void Ready(ILogger logger, int mutePin, int actionPin, string polarity);

        [LoggerMessage(EventId = 3402, Level = LogLevel.Information, Message = "Mute button: capture muted = {Muted}")]
        public static partial void MuteToggled(ILogger logger, bool muted);

        [LoggerMessage(EventId = 3403, Level = LogLevel.Debug, Message = "Action button: short press")]
        public static partial void ActionPressed(ILogger logger);

        [LoggerMessage(EventId = 3404, Level = LogLevel.Information, Message = "Action button: long press, starting a turn without the wake word")]
        public static partial void ActionLongPressed(ILogger logger);

        [LoggerMessage(EventId = 3405, Level = LogLevel.Error, Message = "A {Event} handler failed")]
        public static partial void HandlerFailed(ILogger logger, string @event, Exception exception);
    }
}
