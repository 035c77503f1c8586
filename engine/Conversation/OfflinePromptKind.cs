using StepAudio.Engine.Link;

namespace StepAudio.Engine.Conversation;

/// <summary>What the device says when a turn cannot be answered because of the GPU-server link.</summary>
public enum OfflinePromptKind
{
    /// <summary>No connection (refused, DNS, TLS, connect timeout) or the breaker is open.</summary>
    ServerUnreachable,

    /// <summary>The server answered with an error (5xx, credentials, a malformed answer).</summary>
    ServerError,

    /// <summary>No first token within the limit, or the stream stalled.</summary>
    ServerTooSlow,

    /// <summary>The stream broke off in the middle of the reply.</summary>
    ConnectionLost,
}

/// <summary>Maps a failed turn to the prompt that says what happened.</summary>
internal static class OfflinePromptClassifier
{
    /// <summary>The prompt for <paramref name="error"/>, or false when it is not a link failure (the device's own fault is not the server's).</summary>
    public static bool TryClassify(Exception error, out OfflinePromptKind kind)
    {
        ArgumentNullException.ThrowIfNull(error);
        for (var ex = error; ex is not null; ex = ex.InnerException)
        {
            if (ex is GpuServerException server)
            {
                kind = server.Kind switch
                {
                    GpuServerErrorKind.Unreachable or GpuServerErrorKind.CircuitOpen => OfflinePromptKind.ServerUnreachable,
                    GpuServerErrorKind.FirstTokenTimeout or GpuServerErrorKind.IdleTimeout => OfflinePromptKind.ServerTooSlow,
                    GpuServerErrorKind.StreamDropped => OfflinePromptKind.ConnectionLost,
                    _ => OfflinePromptKind.ServerError,
                };
                return true;
            }
        }

        kind = default;
        return false;
    }
}
