using Microsoft.Extensions.Logging;
using StepAudio.Appliance.Hosting;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Ota.State;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// The health check after an update's reboot, in order: <c>ready</c> (the pipeline is loaded
/// and audio frames flow), <c>wake-clip</c> (the image's known clip, run through a separate
/// wake word, VAD, endpointing and tokenizer, gives what its manifest says), <c>broker</c> (the
/// fleet link is online) and <c>gpu-server</c> (<c>/health</c> answers). A broker or server that
/// was already out of reach when the job was taken (the <see cref="UpdateBaseline"/>), or a
/// server that answers 5xx, is <see cref="HealthVerdict.FailedNotUpdateFault"/>; everything
/// else that fails counts against the update, a missing clip or manifest included.
/// </summary>
internal sealed partial class AcousticHealthProbe(
    IAudioHeartbeat heartbeat,
    HealthClipRunner clips,
    LinkReachability links,
    OtaStateStore store,
    string stateDirectory,
    OtaServiceOptions options,
    TimeProvider time,
    ILogger<AcousticHealthProbe> logger) : IHealthProbe
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <inheritdoc />
    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var baseline = UpdateBaseline.LoadFor(stateDirectory, store.Load().Job?.JobId);
        var checks = new List<HealthCheckResult>
        {
            await CheckReadyAsync(cancellationToken),
            await CheckClipAsync(cancellationToken),
            await CheckBrokerAsync(baseline, cancellationToken),
            await CheckServerAsync(baseline, cancellationToken),
        };
        foreach (var check in checks)
        {
            Log.Check(logger, check.Name, check.Verdict, check.Detail);
        }

        return new HealthReport(checks);
    }

    private async Task<HealthCheckResult> CheckReadyAsync(CancellationToken cancellationToken)
    {
        var first = heartbeat.FramesProcessed;
        var deadline = time.GetUtcNow() + options.ReadyTimeout;
        while (time.GetUtcNow() < deadline)
        {
            var now = heartbeat.FramesProcessed;
            if (first > 0 && now > first)
            {
                return new HealthCheckResult("ready", HealthVerdict.Passed, $"models loaded; {now} audio frames processed and counting");
            }

            first = first > 0 ? first : now;
            await Task.Delay(PollInterval, time, cancellationToken);
        }

        return new HealthCheckResult("ready", HealthVerdict.Failed,
            $"audio frames did not flow within {options.ReadyTimeout.TotalSeconds:0.#} s ({heartbeat.FramesProcessed} processed): the service is not hearing the room");
    }

    private async Task<HealthCheckResult> CheckClipAsync(CancellationToken cancellationToken)
    {
        HealthClipManifest manifest;
        ClipObservation seen;
        try
        {
            manifest = HealthClipManifest.Load(options.HealthManifest);
            seen = await clips.RunAsync(manifest.ClipPath, cancellationToken);
        }
        catch (HealthManifestException ex)
        {
            return new HealthCheckResult("wake-clip", HealthVerdict.Failed, ex.Message);
        }

        var differences = manifest.Differences(seen);
        return differences.Count == 0
            ? new HealthCheckResult("wake-clip", HealthVerdict.Passed, seen.Describe() + (manifest.Tokens is null ? string.Empty : ", tokens exactly as the manifest"))
            : new HealthCheckResult("wake-clip", HealthVerdict.Failed, $"{Path.GetFileName(manifest.ClipPath)}: {string.Join("; ", differences)} (saw {seen.Describe()})");
    }

    private async Task<HealthCheckResult> CheckBrokerAsync(UpdateBaseline? baseline, CancellationToken cancellationToken)
    {
        // Just after boot the link may still be connecting: give it the ready window.
        var deadline = time.GetUtcNow() + options.ReadyTimeout;
        var state = links.BrokerState();
        while (state != FleetConnectionState.Connected && time.GetUtcNow() < deadline)
        {
            await Task.Delay(PollInterval, time, cancellationToken);
            state = links.BrokerState();
        }

        if (state == FleetConnectionState.Connected)
        {
            return new HealthCheckResult("broker", HealthVerdict.Passed, "the fleet link is online");
        }

        return baseline is { BrokerConnected: false }
            ? new HealthCheckResult("broker", HealthVerdict.FailedNotUpdateFault, $"the fleet link is {state}; it was already offline when job {baseline.JobId} was taken")
            : new HealthCheckResult("broker", HealthVerdict.Failed, $"the fleet link is {state} after {options.ReadyTimeout.TotalSeconds:0.#} s; it was online before the update");
    }

    private async Task<HealthCheckResult> CheckServerAsync(UpdateBaseline? baseline, CancellationToken cancellationToken)
    {
        var look = await links.Server.LookAsync(cancellationToken);
        return look.Answer switch
        {
            ServerAnswer.Healthy => new HealthCheckResult("gpu-server", HealthVerdict.Passed, look.Detail),
            ServerAnswer.ServerError => new HealthCheckResult("gpu-server", HealthVerdict.FailedNotUpdateFault, look.Detail),
            ServerAnswer.Unreachable when baseline is { Server: ServerAnswer.Unreachable or ServerAnswer.ServerError } =>
                new HealthCheckResult("gpu-server", HealthVerdict.FailedNotUpdateFault, $"{look.Detail}; it was already out of reach when job {baseline.JobId} was taken ({baseline.ServerDetail})"),
            _ => new HealthCheckResult("gpu-server", HealthVerdict.Failed, look.Detail + (baseline is null ? "; no baseline was recorded for this job" : "; it answered before the update")),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3620, Level = LogLevel.Information, Message = "OTA health check {Check}: {Verdict} ({Detail})")]
        public static partial void Check(ILogger logger, string check, HealthVerdict verdict, string detail);
    }
}
