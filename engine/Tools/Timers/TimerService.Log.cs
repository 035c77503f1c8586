using Microsoft.Extensions.Logging;

namespace StepAudio.Engine.Tools.Timers;

public sealed partial class TimerService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1711, Level = LogLevel.Information, Message = "Timer {Id} ({Label}) rang")]
        public static partial void Rang(ILogger logger, string id, string label);

        [LoggerMessage(EventId = 1712, Level = LogLevel.Warning, Message = "Timer {Id} ({Label}) was due at {DueAt:O} while the device was off; it is reported as missed")]
        public static partial void Missed(ILogger logger, string id, string label, DateTimeOffset dueAt);

        [LoggerMessage(EventId = 1713, Level = LogLevel.Information, Message = "Timer ringing stopped ({Reason})")]
        public static partial void RingingStopped(ILogger logger, string reason);

        [LoggerMessage(EventId = 1714, Level = LogLevel.Error, Message = "The timer file is unreadable and was moved aside: {Reason}")]
        public static partial void StoreUnreadable(ILogger logger, string reason);

        [LoggerMessage(EventId = 1715, Level = LogLevel.Warning, Message = "Playing the timer chime failed: {Reason}")]
        public static partial void RingFailed(ILogger logger, string reason);
    }
}
