namespace StepAudio.Ops.Ota.Download;

/// <summary>
/// Keeps a transfer at or below a byte rate: after each chunk, waits until the bytes so far are
/// within what the rate allows since the start (with one second of burst).
/// </summary>
public sealed class BandwidthLimiter
{
    private readonly long _bytesPerSecond;
    private readonly TimeProvider _time;
    private readonly long _start;
    private long _bytes;

    /// <summary>Creates a limiter; 0 bytes per second means no limit.</summary>
    public BandwidthLimiter(long bytesPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesPerSecond);
        ArgumentNullException.ThrowIfNull(time);
        _bytesPerSecond = bytesPerSecond;
        _time = time;
        _start = time.GetTimestamp();
    }

    /// <summary>Accounts for <paramref name="bytes"/> and waits as long as the rate demands.</summary>
    public async ValueTask ThrottleAsync(int bytes, CancellationToken cancellationToken)
    {
        if (_bytesPerSecond == 0)
        {
            return;
        }

        _bytes += bytes;
        var due = TimeSpan.FromSeconds((double)(_bytes - _bytesPerSecond) / _bytesPerSecond);
        var wait = due - _time.GetElapsedTime(_start);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
