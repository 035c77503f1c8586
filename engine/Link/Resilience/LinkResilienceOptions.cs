using System.ComponentModel.DataAnnotations;

namespace StepAudio.Engine.Link.Resilience;

/// <summary>Which HTTP version the link asks the GPU server for.</summary>
public enum LinkHttpProtocol
{
    /// <summary>HTTP/2 where TLS negotiates it (ALPN), else HTTP/1.1: the safe default for an unknown proxy.</summary>
    Negotiate,

    /// <summary>HTTP/2 only: over <c>http://</c> this is h2c with prior knowledge (vLLM behind an h2c-capable proxy).</summary>
    Http2,

    /// <summary>HTTP/1.1 only, one request per connection at a time.</summary>
    Http11,
}

/// <summary>
/// Retries, the circuit breaker and the response timeout around every request to the GPU server
/// (section <c>GpuServer:Resilience</c>). All of it acts before the first byte of a response body:
/// once a stream has begun, a failure is reported, never retried, so no reply is ever spoken twice.
/// </summary>
public sealed class LinkResilienceOptions
{
    /// <summary>Extra attempts after a connection failure, a 5xx/408/429 answer or a response timeout (0: none).</summary>
    [Range(0, 10)]
    public int RetryAttempts { get; set; } = 2;

    /// <summary>First retry delay; later ones back off exponentially with jitter. A Retry-After header wins when shorter than the limit.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:30")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>No retry waits longer than this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// One attempt's limit from sending the request until the response headers arrive. vLLM sends its
    /// headers before prefill, so a server that stays silent this long is hung, not busy.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The breaker opens once this many attempts inside <see cref="BreakerSamplingDuration"/> failed at the <see cref="BreakerFailureRatio"/>.</summary>
    [Range(2, 1000)]
    public int BreakerFailures { get; set; } = 5;

    /// <summary>Share of failed attempts in the sampling window that opens the breaker (1: every one failed).</summary>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 1.0;

    /// <summary>The window failures are counted in.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open breaker fails requests at once before one probe request may try again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The HTTP version to ask for.</summary>
    public LinkHttpProtocol Protocol { get; set; } = LinkHttpProtocol.Negotiate;

    /// <summary>HTTP/2 PING interval on a connection with requests in flight: a dead peer is found within one interval plus the ping timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a PING may go unanswered before the connection is closed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
