using Microsoft.Extensions.Logging;

namespace StepAudio.Ops.Ota;

/// <summary>The agent's log lines (event ids 25xx).</summary>
public sealed partial class OtaAgent
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2500, Level = LogLevel.Information, Message = "OTA agent starts in state {State} (job {JobId}).")]
        public static partial void Resumed(ILogger logger, OtaState state, string? jobId);

        [LoggerMessage(EventId = 2501, Level = LogLevel.Information, Message = "OTA {JobId}: accepted version {Version} (running {Installed}).")]
        public static partial void Accepted(ILogger logger, string jobId, string version, string installed);

        [LoggerMessage(EventId = 2502, Level = LogLevel.Warning, Message = "OTA {JobId}: rejected ({Reason}): {Message}")]
        public static partial void Rejected(ILogger logger, string jobId, OtaReason reason, string message);

        [LoggerMessage(EventId = 2503, Level = LogLevel.Information, Message = "OTA {JobId}: {State}: {Message}")]
        public static partial void Step(ILogger logger, OtaState state, string? jobId, string message);

        [LoggerMessage(EventId = 2504, Level = LogLevel.Information, Message = "OTA {JobId}: downloaded {Bytes} of {Size} bytes.")]
        public static partial void Progress(ILogger logger, string jobId, long bytes, long size);

        [LoggerMessage(EventId = 2505, Level = LogLevel.Information, Message = "OTA {JobId}: bundle of {Size} bytes complete; {Transferred} bytes crossed the network in this run.")]
        public static partial void Downloaded(ILogger logger, string jobId, long size, long transferred);

        [LoggerMessage(EventId = 2506, Level = LogLevel.Information, Message = "OTA {JobId}: rauc install succeeded.")]
        public static partial void Installed(ILogger logger, string jobId);

        [LoggerMessage(EventId = 2507, Level = LogLevel.Warning, Message = "OTA {JobId}: rauc install failed: {Reason}")]
        public static partial void InstallFailed(ILogger logger, string jobId, string reason);

        [LoggerMessage(EventId = 2508, Level = LogLevel.Information, Message = "OTA {JobId}: device idle; rebooting into {Slot}.")]
        public static partial void Rebooting(ILogger logger, string jobId, string? slot);

        [LoggerMessage(EventId = 2509, Level = LogLevel.Information, Message = "OTA {JobId}: health check healthy={Healthy}: {Summary}")]
        public static partial void Health(ILogger logger, string jobId, bool healthy, string summary);

        [LoggerMessage(EventId = 2510, Level = LogLevel.Information, Message = "OTA {JobId}: outcome {State} ({Reason}): {Message}")]
        public static partial void Outcome(ILogger logger, string jobId, OtaState state, OtaReason reason, string message);

        [LoggerMessage(EventId = 2511, Level = LogLevel.Warning, Message = "OTA status for state {State} was not published: {Error}")]
        public static partial void PublishFailed(ILogger logger, OtaState state, string error);

        [LoggerMessage(EventId = 2512, Level = LogLevel.Information, Message = "OTA {JobId}: already being carried out; continuing.")]
        public static partial void DuplicateJob(ILogger logger, string jobId);
    }
}
