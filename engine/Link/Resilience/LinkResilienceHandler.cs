using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace StepAudio.Engine.Link.Resilience;

/// <summary>
/// The resilience layer between <see cref="GpuServerClient"/> and its connection pool: per attempt a
/// response timeout, a circuit breaker shared by every request, and retries with exponential backoff
/// and jitter. It sits below HttpClient, so it only ever sees the part of a request that ends with
/// the response headers (the client reads with <c>ResponseHeadersRead</c>): a stream that has begun
/// is never retried, and a drop mid-reply is the caller's to report.
/// </summary>
internal sealed partial class LinkResilienceHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly LinkHttpProtocol _protocol;
    private readonly ILogger _logger;

    /// <param name="options">The link's options (the <see cref="GpuServerOptions.Resilience"/> section is used).</param>
    /// <param name="innerHandler">The connection pool, e.g. <see cref="GpuServerClient.CreateHandler"/>; disposed with this handler.</param>
    /// <param name="timeProvider">Clock for delays, timeouts and the breaker; the system clock when null.</param>
    /// <param name="logger">Where retries and breaker changes are logged.</param>
    public LinkResilienceHandler(GpuServerOptions options, HttpMessageHandler innerHandler, TimeProvider? timeProvider = null, ILogger? logger = null)
        : base(innerHandler ?? throw new ArgumentNullException(nameof(innerHandler)))
    {
        ArgumentNullException.ThrowIfNull(options);
        _protocol = options.Resilience.Protocol;
        _logger = logger ?? NullLogger.Instance;
        _pipeline = Build(options.Resilience, timeProvider ?? TimeProvider.System);
    }

    /// <summary>The breaker's state: Closed (normal), Open (failing fast), HalfOpen (one probe allowed), Isolated.</summary>
    public CircuitState CircuitState => _breaker.CircuitState;

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ApplyProtocol(request, _protocol);
        return _pipeline.ExecuteAsync(
            static (state, token) => new ValueTask<HttpResponseMessage>(state.Handler.SendOnceAsync(state.Request, token)),
            (Handler: this, Request: request),
            cancellationToken).AsTask();
    }

    /// <summary>What counts as the server failing (as opposed to the caller giving up or a request the server rejects on its merits).</summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500
            || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        _ => false,
    };

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private static void ApplyProtocol(HttpRequestMessage request, LinkHttpProtocol protocol)
    {
        switch (protocol)
        {
            case LinkHttpProtocol.Http2:
                // Exact: over http:// this is h2c with prior knowledge, which "or lower" would never try.
                request.Version = HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
                break;
            case LinkHttpProtocol.Http11:
                request.Version = HttpVersion.Version11;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
                break;
            case LinkHttpProtocol.Negotiate:
                break;
        }
    }

    private ResiliencePipeline<HttpResponseMessage> Build(LinkResilienceOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (options.RetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.RetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = static args => new ValueTask<bool>(IsTransient(args.Outcome)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryAfter(args.Outcome, options.RetryMaxDelay)),
                OnRetry = args =>
                {
                    Log.Retrying(_logger, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, Describe(args.Outcome));
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = options.BreakerFailureRatio,
            MinimumThroughput = options.BreakerFailures,
            SamplingDuration = options.BreakerSamplingDuration,
            BreakDuration = options.BreakerBreakDuration,
            StateProvider = _breaker,
            ShouldHandle = static args => new ValueTask<bool>(IsTransient(args.Outcome)),
            OnOpened = args =>
            {
                Log.BreakerOpened(_logger, args.BreakDuration.TotalSeconds, Describe(args.Outcome));
                return ValueTask.CompletedTask;
            },
            OnHalfOpened = _ =>
            {
                Log.BreakerHalfOpen(_logger);
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                Log.BreakerClosed(_logger);
                return ValueTask.CompletedTask;
            },
        });
        builder.AddTimeout(options.ResponseTimeout);
        return builder.Build();
    }

    /// <summary>A server's Retry-After, when it asks for a wait the device is willing to make; otherwise null (the backoff decides).</summary>
    private static TimeSpan? RetryAfter(Outcome<HttpResponseMessage> outcome, TimeSpan limit)
    {
        var retryAfter = outcome.Result?.Headers.RetryAfter;
        var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } value && value >= TimeSpan.Zero && value <= limit ? value : null;
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } ex ? ex.Message : $"HTTP {(int)outcome.Result!.StatusCode}";

    private static partial class Log
    {
        [LoggerMessage(EventId = 1310, Level = LogLevel.Information, Message = "GPU server request retry {Attempt} in {DelayMs:0} ms after: {Reason}")]
        public static partial void Retrying(ILogger logger, int attempt, double delayMs, string reason);

        [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "GPU server circuit breaker opened for {Seconds:0.#} s after: {Reason}; requests fail at once until a probe succeeds")]
        public static partial void BreakerOpened(ILogger logger, double seconds, string reason);

        [LoggerMessage(EventId = 1312, Level = LogLevel.Information, Message = "GPU server circuit breaker half-open: the next request is a probe")]
        public static partial void BreakerHalfOpen(ILogger logger);

        [LoggerMessage(EventId = 1313, Level = LogLevel.Information, Message = "GPU server circuit breaker closed: the server answers again")]
        public static partial void BreakerClosed(ILogger logger);
    }
}
