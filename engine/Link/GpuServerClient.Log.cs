using Microsoft.Extensions.Logging;

namespace StepAudio.Engine.Link;

public sealed partial class GpuServerClient
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1314, Level = LogLevel.Warning, Message = "GPU server {BaseAddress} gets the bearer key over plain http (GpuServer:AllowPlaintextApiKey is true): the key crosses the network in clear")]
        public static partial void PlaintextApiKey(ILogger logger, Uri baseAddress);

        [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "GPU server {Operation} request to {Uri}")]
        public static partial void RequestStarted(ILogger logger, string operation, Uri uri);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Debug, Message = "GPU server {Operation}: first token after {ElapsedMs:0.0} ms")]
        public static partial void FirstToken(ILogger logger, string operation, double elapsedMs);

        [LoggerMessage(EventId = 1303, Level = LogLevel.Debug, Message = "GPU server {Operation}: {Tokens} tokens in {ElapsedMs:0.0} ms, finish {FinishReason}")]
        public static partial void StreamCompleted(ILogger logger, string operation, int tokens, double elapsedMs, string finishReason);

        [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "GPU server {Operation} failed ({Kind}): {Reason}")]
        public static partial void RequestFailed(ILogger logger, string operation, GpuServerErrorKind kind, string reason);

        [LoggerMessage(EventId = 1305, Level = LogLevel.Debug, Message = "GPU server {Operation} cancelled after {Tokens} tokens; the connection was closed")]
        public static partial void Cancelled(ILogger logger, string operation, int tokens);

        [LoggerMessage(EventId = 1306, Level = LogLevel.Debug, Message = "GPU server {Operation} abandoned by the consumer after {Tokens} tokens; the connection was closed")]
        public static partial void Abandoned(ILogger logger, string operation, int tokens);

        [LoggerMessage(EventId = 1307, Level = LogLevel.Warning, Message = "GPU server {Operation} stopped at its max_tokens limit after {Tokens} tokens; the answer is cut short")]
        public static partial void StoppedAtLimit(ILogger logger, string operation, int tokens);

        [LoggerMessage(EventId = 1308, Level = LogLevel.Warning, Message = "GPU server TTS sent {Count} audio tokens outside 0..5119; they were dropped")]
        public static partial void AudioTokensRejected(ILogger logger, int count);
    }
}
