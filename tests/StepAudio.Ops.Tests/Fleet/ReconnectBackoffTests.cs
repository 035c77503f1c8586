using StepAudio.Ops.Fleet;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Delay_WhenAttemptsGrow_ThenDoublesWithinJitterAndCapsAtMax()
    {
        var min = TimeSpan.FromMilliseconds(100);
        var max = TimeSpan.FromSeconds(5);
        var backoff = new ReconnectBackoff(min, max, new Random(1));

        for (var attempt = 0; attempt < 20; attempt++)
        {
            var ceiling = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, attempt));
            for (var sample = 0; sample < 50; sample++)
            {
                var delay = backoff.Delay(attempt).TotalMilliseconds;
                Assert.InRange(delay, Math.Max(min.TotalMilliseconds, ceiling / 2), ceiling);
            }
        }
    }

    [Fact]
    public void Delay_WhenManyDevicesRetry_ThenDelaysSpreadOut()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), new Random(3));

        var delays = Enumerable.Range(0, 200).Select(_ => backoff.Delay(6)).Distinct().Count();

        Assert.True(delays > 150);
    }

    [Fact]
    public void Constructor_WhenMaxBelowMin_ThenThrows() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
}
