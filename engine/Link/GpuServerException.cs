namespace StepAudio.Engine.Link;

/// <summary>What went wrong talking to the GPU server.</summary>
public enum GpuServerErrorKind
{
    /// <summary>No connection could be made (refused, DNS, TLS, connect timeout).</summary>
    Unreachable,

    /// <summary>The server answered with an HTTP error status, or reported an error inside the stream.</summary>
    HttpError,

    /// <summary>The server rejected the credentials (401/403).</summary>
    Unauthorized,

    /// <summary>No generated token arrived within the first-token timeout.</summary>
    FirstTokenTimeout,

    /// <summary>The stream stalled between tokens longer than the idle timeout.</summary>
    IdleTimeout,

    /// <summary>The connection closed before the stream said it was done.</summary>
    StreamDropped,

    /// <summary>The server sent something that is not the expected SSE/JSON shape.</summary>
    MalformedStream,

    /// <summary>Recent requests failed, so the circuit breaker fails this one at once without contacting the server.</summary>
    CircuitOpen,
}

/// <summary>A request to the GPU server failed; <see cref="Kind"/> says how.</summary>
public sealed class GpuServerException : Exception
{
    public GpuServerException()
    {
    }

    public GpuServerException(string message)
        : base(message)
    {
    }

    public GpuServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GpuServerException(GpuServerErrorKind kind, string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
    }

    /// <summary>How the request failed.</summary>
    public GpuServerErrorKind Kind { get; }

    /// <summary>The HTTP status (or the error code the server put in the stream), when there was one.</summary>
    public int? StatusCode { get; }
}
