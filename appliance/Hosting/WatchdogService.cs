using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// Pings systemd's watchdog only while the audio loop makes progress: a stuck capture or a
/// wedged stage stops the pings, and systemd restarts the service. The interval is half of
/// WATCHDOG_USEC when systemd sets it, else the configured one.
/// </summary>
internal sealed partial class WatchdogService(
    ISystemdNotifier notifier,
    IAudioHeartbeat heartbeat,
    IOptions<HostingOptions> options,
    ILogger<WatchdogService> logger,
    TimeProvider? time = null) : BackgroundService
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The ping interval in force.</summary>
    public TimeSpan Interval { get; } = IntervalFrom(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), options.Value.WatchdogIntervalMs);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }

        var last = heartbeat.FramesProcessed;
        var stalled = false;
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = heartbeat.FramesProcessed;
                if (now != last)
                {
                    notifier.Notify(ServiceStates.Watchdog);
                    if (stalled)
                    {
                        Log.Resumed(logger);
                        notifier.Notify(ServiceStates.Status("listening"));
                        stalled = false;
                    }
                }
                else if (!stalled)
                {
                    stalled = true;
                    Log.Stalled(logger, Interval.TotalMilliseconds);
                    notifier.Notify(ServiceStates.Status("audio loop stalled; watchdog pings withheld"));
                }

                last = now;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    internal static TimeSpan IntervalFrom(string? watchdogUsec, int fallbackMs) =>
        long.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec / 2.0)
            : TimeSpan.FromMilliseconds(fallbackMs);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "The audio loop made no progress for {IntervalMs} ms; withholding watchdog pings.")]
        public static partial void Stalled(ILogger logger, double intervalMs);

        [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "The audio loop is making progress again.")]
        public static partial void Resumed(ILogger logger);
    }
}
