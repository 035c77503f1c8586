using Polly.CircuitBreaker;
using Polly.Timeout;

namespace StepAudio.Engine.Link;

public sealed partial class GpuServerClient
{
    /// <summary>What the resilience layer's own rejections mean for the caller; null for anything else.</summary>
    private GpuServerException? TranslateResilience(Exception ex, string operation) => ex switch
    {
        BrokenCircuitException broken => Fail(new GpuServerException(GpuServerErrorKind.CircuitOpen,
            $"The GPU server at {_options.BaseAddress} failed too often recently; the {operation} request was not sent" +
            (broken.RetryAfter is { } after ? $" (the next try is allowed in {after.TotalSeconds:0.#} s)." : "."), null, ex), operation),
        TimeoutRejectedException => Fail(new GpuServerException(GpuServerErrorKind.FirstTokenTimeout,
            $"The GPU server did not answer the {operation} request within {_options.Resilience.ResponseTimeout.TotalMilliseconds:0} ms " +
            $"(GpuServer:Resilience:ResponseTimeout), after {_options.Resilience.RetryAttempts} retries.", null, ex), operation),
        _ => null,
    };
}
