using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using StepAudio.Ops.Telemetry;

namespace StepAudio.Ops.Fleet.Routes;

/// <summary>
/// <c>telemetry/&lt;stream&gt;</c>: one aggregated message per stream per interval, QoS 0 and never queued, at most the
/// configured number per interval (the budget takes the streams in turn when there are more).
/// </summary>
internal sealed class TelemetryRoute
{
    private readonly TelemetryCollector _collector;
    private readonly FleetTopics _topics;
    private readonly TimeSpan _interval;
    private readonly TelemetryBudget _budget;
    private readonly TimeProvider _time;
    private long _sent;
    private long _dropped;

    public TelemetryRoute(TelemetryCollector collector, FleetTopics topics, TimeSpan interval, int maxMessagesPerInterval, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _collector = collector;
        _topics = topics;
        _interval = interval;
        _budget = new TelemetryBudget(maxMessagesPerInterval);
        _time = time;
    }

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Snapshots over the budget, with an invalid stream name, or lost to a broken connection.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Publishes every interval through <paramref name="publish"/> until cancelled or the connection breaks.</summary>
    public async Task RunAsync(Func<MqttApplicationMessage, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publish);
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var chosen = _budget.Select(_collector.Collect(), out var dropped);
                Interlocked.Add(ref _dropped, dropped);
                foreach (var snapshot in chosen)
                {
                    if (!FleetTopics.IsValidSegment(snapshot.Stream))
                    {
                        Interlocked.Increment(ref _dropped);
                        continue;
                    }

                    var message = new MqttApplicationMessageBuilder()
                        .WithTopic(_topics.Telemetry(snapshot.Stream))
                        .WithPayload(snapshot.ToJson())
                        .WithContentType("application/json")
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce)
                        .Build();
                    await publish(message, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _sent);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (MqttCommunicationException)
        {
            // Telemetry is lossy by design; the supervisor notices the broken connection on its own.
            Interlocked.Increment(ref _dropped);
        }
    }
}
