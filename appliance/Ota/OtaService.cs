using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Ota;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// Runs the OTA agent in the service. It waits until the host has started (the pipeline loaded,
/// capture flowing, READY sent), then resumes whatever the state file holds (after an update's
/// reboot that is the health check) and takes jobs from the fleet. An unexpected failure (a rauc
/// that cannot be started, a full disk) is logged and the agent resumed after a pause: its state
/// file makes every step safe to enter again.
/// </summary>
internal sealed partial class OtaService(
    OtaAgent agent,
    IHostApplicationLifetime lifetime,
    IOptions<OtaServiceOptions> options,
    TimeProvider time,
    ILogger<OtaService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Log.Starting(logger, agent.Record.State, agent.Record.Job?.JobId);
                await agent.RunAsync(stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The agent's failures (a corrupt state file included) must not stop the speaker; its state file makes a retry safe.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.AgentFailed(logger, options.Value.RestartDelay.TotalSeconds, ex);
            }

            await Task.Delay(options.Value.RestartDelay, time, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3630, Level = LogLevel.Information, Message = "OTA agent starting in state {State} (job {JobId})")]
        public static partial void Starting(ILogger logger, OtaState state, string? jobId);

        [LoggerMessage(EventId = 3631, Level = LogLevel.Error, Message = "OTA agent failed; resuming in {DelaySeconds} s")]
        public static partial void AgentFailed(ILogger logger, double delaySeconds, Exception exception);
    }
}

/// <summary>Says once, at start, why the update agent does not run on this box.</summary>
internal sealed partial class OtaDisabledNotice(string reason, ILogger<OtaDisabledNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Disabled(logger, reason);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 3632, Level = LogLevel.Information, Message = "OTA updates are off: {Reason}")]
        public static partial void Disabled(ILogger logger, string reason);
    }
}
