using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Ota.Download;
using StepAudio.Ops.Ota.Rauc;
using StepAudio.Ops.Ota.State;

namespace StepAudio.Ops.Ota;

/// <summary>What a call into the agent ended with.</summary>
public enum OtaRunResult
{
    /// <summary>Nothing left to do until the next job.</summary>
    Settled,

    /// <summary>A reboot was asked for; the process is about to go down with the machine.</summary>
    RebootRequested,
}

/// <summary>
/// The device side of an update. Idle -> Downloading -> Verifying -> Installing -> AwaitingReboot
/// -> Rebooted -> HealthCheck -> Committed | RolledBack | Failed. Every step is persisted through
/// <see cref="OtaStateStore"/> before the next begins, and every step can be entered again after a
/// kill or power cut: <see cref="ResumeAsync"/> looks at what RAUC and the boot id say and carries
/// on from there. RAUC does all slot writing and marking.
/// </summary>
public sealed partial class OtaAgent
{
    private readonly IOtaChannel _channel;
    private readonly IRaucClient _rauc;
    private readonly BundleDownloader _downloader;
    private readonly OtaStateStore _store;
    private readonly IDeviceActivity _activity;
    private readonly IHealthProbe _health;
    private readonly ISystemReboot _reboot;
    private readonly IBootIdentity _boot;
    private readonly OtaAgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private OtaRecord? _record;

    /// <summary>Creates the agent; nothing happens until <see cref="RunAsync"/> or <see cref="ResumeAsync"/>.</summary>
    public OtaAgent(
        IOtaChannel channel,
        OtaSlots slots,
        BundleDownloader downloader,
        OtaStateStore store,
        OtaDevice device,
        IOptions<OtaAgentOptions> options,
        TimeProvider time,
        ILogger<OtaAgent> logger)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentNullException.ThrowIfNull(slots.Rauc);
        ArgumentNullException.ThrowIfNull(slots.Reboot);
        ArgumentNullException.ThrowIfNull(slots.Boot);
        ArgumentNullException.ThrowIfNull(downloader);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(device.Activity);
        ArgumentNullException.ThrowIfNull(device.Health);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _channel = channel;
        _rauc = slots.Rauc;
        _downloader = downloader;
        _store = store;
        _activity = device.Activity;
        _health = device.Health;
        _reboot = slots.Reboot;
        _boot = slots.Boot;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after each step is persisted (the appliance's LEDs; tests cut the power here).</summary>
    public event Action<OtaRecord>? StepPersisted;

    /// <summary>The last persisted record.</summary>
    public OtaRecord Record => _record ??= _store.Load();

    /// <summary>Resumes persisted work, then takes jobs from the channel until it ends or a reboot is under way.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (await ResumeAsync(cancellationToken).ConfigureAwait(false) == OtaRunResult.RebootRequested)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            return;
        }

        await foreach (var job in _channel.ReadJobsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await HandleJobAsync(job, cancellationToken).ConfigureAwait(false) == OtaRunResult.RebootRequested)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>Brings whatever the state file holds to a settled state, or to a reboot.</summary>
    public async Task<OtaRunResult> ResumeAsync(CancellationToken cancellationToken)
    {
        _record = _store.Load();
        Log.Resumed(_logger, _record.State, _record.Job?.JobId);
        await MarkBootedGoodUnlessOnTrialAsync(cancellationToken).ConfigureAwait(false);
        return await DriveAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes one job: rejects it with a reason, or carries it as far as it goes now.</summary>
    public async Task<OtaRunResult> HandleJobAsync(OtaJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var record = Record;
        if (!record.IsSettled)
        {
            if (record.Job?.JobId == job.JobId)
            {
                Log.DuplicateJob(_logger, job.JobId);
                return await DriveAsync(cancellationToken).ConfigureAwait(false);
            }

            await RejectAsync(job, OtaReason.Busy, $"job {record.Job?.JobId} is in state {record.State}.", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.Settled;
        }

        var now = _time.GetUtcNow();
        if (now > job.Deadline)
        {
            await RejectAsync(job, OtaReason.DeadlinePassed, $"the deadline {job.Deadline:O} has passed.", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.Settled;
        }

        var status = await _rauc.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (job.Compatible != status.Compatible)
        {
            await RejectAsync(job, OtaReason.IncompatibleJob, $"the job is for '{job.Compatible}'; this system is '{status.Compatible}'.", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.Settled;
        }

        var installedText = status.BootedSlot?.BundleVersion ?? _options.InstalledVersion;
        if (OtaVersion.TryParse(installedText, out var installed) && OtaVersion.TryParse(job.Version, out var wanted))
        {
            if (wanted == installed)
            {
                await RejectAsync(job, OtaReason.AlreadyInstalled, $"version {installed} is already running.", cancellationToken).ConfigureAwait(false);
                return OtaRunResult.Settled;
            }

            if (wanted < installed && !(job.Downgrade && _options.AllowDowngrade))
            {
                var why = !job.Downgrade
                    ? "the job does not say downgrade"
                    : "this device's policy forbids downgrades (Ota:AllowDowngrade is false)";
                await RejectAsync(job, OtaReason.OlderVersion, $"version {wanted} is older than the running {installed} and {why}.", cancellationToken).ConfigureAwait(false);
                return OtaRunResult.Settled;
            }
        }

        RemoveDownloads(except: null);
        Log.Accepted(_logger, job.JobId, job.Version, installedText ?? "unknown");
        await PersistAsync(new OtaRecord { State = OtaState.Downloading, Job = job, MarkedGoodInBoot = record.MarkedGoodInBoot }, "job accepted", cancellationToken).ConfigureAwait(false);
        return await DriveAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<OtaRunResult> DriveAsync(CancellationToken cancellationToken)
    {
        while (!Record.IsSettled)
        {
            var result = Record.State switch
            {
                OtaState.Downloading => await DownloadAsync(cancellationToken).ConfigureAwait(false),
                OtaState.Verifying => await VerifyAsync(cancellationToken).ConfigureAwait(false),
                OtaState.Installing => await InstallAsync(cancellationToken).ConfigureAwait(false),
                OtaState.AwaitingReboot => await AwaitRebootAsync(cancellationToken).ConfigureAwait(false),
                OtaState.Rebooted => await CameBackAsync(cancellationToken).ConfigureAwait(false),
                OtaState.HealthCheck => await CheckHealthAsync(cancellationToken).ConfigureAwait(false),
                OtaState.RolledBack => await FinishRollbackAsync(cancellationToken).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"state {Record.State} is settled."),
            };
            if (result == OtaRunResult.RebootRequested)
            {
                return result;
            }
        }

        await ReportOutcomeAsync(cancellationToken).ConfigureAwait(false);
        return OtaRunResult.Settled;
    }

    private async Task PersistAsync(OtaRecord next, string message, CancellationToken cancellationToken)
    {
        next = next with { UpdatedAt = _time.GetUtcNow(), Message = next.Message ?? message };
        _store.Save(next);
        _record = next;
        Log.Step(_logger, next.State, next.Job?.JobId, message);
        StepPersisted?.Invoke(next);
        var job = next.Job;
        await PublishAsync(new OtaStatus(job?.JobId, job?.Version, next.State, next.Reason, message, next.State == OtaState.Downloading ? 0 : job?.Size ?? 0, job?.Size ?? 0, next.UpdatedAt), cancellationToken).ConfigureAwait(false);
    }

    private Task FailAsync(OtaReason reason, string message, CancellationToken cancellationToken)
    {
        RemoveDownloads(except: null);
        return PersistAsync(Record with { State = OtaState.Failed, Reason = reason, Message = message }, message, cancellationToken);
    }

    private async Task RejectAsync(OtaJob job, OtaReason reason, string message, CancellationToken cancellationToken)
    {
        Log.Rejected(_logger, job.JobId, reason, message);
        await PublishAsync(new OtaStatus(job.JobId, job.Version, Record.State, reason, message, 0, job.Size, _time.GetUtcNow()) { Rejected = true }, cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishAsync(OtaStatus status, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.PublishStatusAsync(status, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.PublishFailed(_logger, status.State, ex.Message);
        }
    }

    private async Task ReportOutcomeAsync(CancellationToken cancellationToken)
    {
        var record = Record;
        if (record.State == OtaState.Idle || record.OutcomeReported || record.Job is not { } job)
        {
            return;
        }

        string? running = null;
        try
        {
            running = (await _rauc.GetStatusAsync(cancellationToken).ConfigureAwait(false)).BootedSlot?.Name;
        }
        catch (RaucCommandException ex)
        {
            Log.PublishFailed(_logger, record.State, ex.Message);
        }

        try
        {
            var message = record.Message ?? record.State.ToString();
            await _channel.PublishStatusAsync(new OtaStatus(job.JobId, job.Version, record.State, record.Reason, message, job.Size, job.Size, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            await _channel.PublishOutcomeAsync(new OtaOutcomeEvent(job.JobId, job.Version, record.State, record.Reason, message, running, record.UpdatedAt), cancellationToken).ConfigureAwait(false);
            Log.Outcome(_logger, job.JobId, record.State, record.Reason, message);
            _store.Save(record with { OutcomeReported = true });
            _record = record with { OutcomeReported = true };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Reported again on the next start.
            Log.PublishFailed(_logger, record.State, ex.Message);
        }
    }

    private string BundlePath(OtaJob job) => Path.Combine(_options.DownloadDirectory, $"{job.Sha256[..16]}.raucb");

    private void RemoveDownloads(string? except)
    {
        if (!Directory.Exists(_options.DownloadDirectory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(_options.DownloadDirectory, "*.raucb"))
        {
            if (file != except)
            {
                File.Delete(file);
            }
        }
    }
}
