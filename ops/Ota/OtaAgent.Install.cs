using StepAudio.Ops.Ota.Rauc;

namespace StepAudio.Ops.Ota;

/// <summary>Download, verification and install: nothing here touches the running slot.</summary>
public sealed partial class OtaAgent
{
    private async Task<OtaRunResult> DownloadAsync(CancellationToken cancellationToken)
    {
        var job = Record.Job!;
        var path = BundlePath(job);
        var progress = new StatusProgress(this, job, cancellationToken);
        try
        {
            var transferred = await _downloader.DownloadAsync(job, path, progress, cancellationToken).ConfigureAwait(false);
            Log.Downloaded(_logger, job.JobId, job.Size, transferred);
            await PersistAsync(Record with { State = OtaState.Verifying }, $"downloaded {job.Size} bytes, sha256 matches", cancellationToken).ConfigureAwait(false);
        }
        catch (OtaStepException ex) when (ex.Reason == OtaReason.HashMismatch && Record.DownloadRestarts == 0)
        {
            // Resumed bytes may be what a power cut left behind: fetch everything once more.
            File.Delete(path);
            await PersistAsync(Record with { DownloadRestarts = Record.DownloadRestarts + 1 }, $"{ex.Message} Downloading again from the start.", cancellationToken).ConfigureAwait(false);
        }
        catch (OtaStepException ex)
        {
            await FailAsync(ex.Reason, ex.Message, cancellationToken).ConfigureAwait(false);
        }

        return OtaRunResult.Settled;
    }

    private async Task<OtaRunResult> VerifyAsync(CancellationToken cancellationToken)
    {
        var job = Record.Job!;
        var path = BundlePath(job);
        if (!File.Exists(path) || new FileInfo(path).Length != job.Size)
        {
            await PersistAsync(Record with { State = OtaState.Downloading }, "the downloaded bundle is gone; downloading again", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.Settled;
        }

        RaucBundleInfo info;
        try
        {
            info = await _rauc.InfoAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (RaucBundleRejectedException ex)
        {
            await FailAsync(OtaReason.BundleRejected, $"RAUC refused the bundle: {ex.Reason}", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.Settled;
        }

        var status = await _rauc.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (info.Compatible != status.Compatible)
        {
            await FailAsync(OtaReason.BundleIncompatible, $"the bundle is for '{info.Compatible}'; this system is '{status.Compatible}'.", cancellationToken).ConfigureAwait(false);
        }
        else if (info.Version != job.Version)
        {
            await FailAsync(OtaReason.BundleVersionMismatch, $"the bundle's manifest says version {info.Version}; the job says {job.Version}.", cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await PersistAsync(Record with { State = OtaState.Installing, PreviousSlot = status.BootedSlot?.Name }, $"signature verified by RAUC; compatible '{info.Compatible}', version {info.Version}", cancellationToken).ConfigureAwait(false);
        }

        return OtaRunResult.Settled;
    }

    private async Task<OtaRunResult> InstallAsync(CancellationToken cancellationToken)
    {
        var job = Record.Job!;
        var status = await _rauc.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var booted = status.BootedSlot;
        var primary = status.Find(status.PrimarySlot);
        if (booted is not null && booted.Name != Record.PreviousSlot && booted.BundleVersion == job.Version)
        {
            // A power cut after RAUC switched the primary slot: the update is already running.
            await PersistAsync(Record with { State = OtaState.Rebooted, TargetSlot = booted.Name }, $"the device came up in the new slot {booted.Name}", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.Settled;
        }

        if (primary is not null && booted is not null && primary.Name != booted.Name && primary.BundleVersion == job.Version && primary.InstallStatus == "ok")
        {
            RemoveDownloads(except: null);
            await PersistAsync(Record with { State = OtaState.AwaitingReboot, TargetSlot = primary.Name, RebootRequestedInBoot = _boot.CurrentBootId },
                $"installed into {primary.Name}; waiting for an idle moment to reboot", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.Settled;
        }

        var path = BundlePath(job);
        if (!File.Exists(path))
        {
            await PersistAsync(Record with { State = OtaState.Downloading }, "the bundle is gone before the install finished; downloading again", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.Settled;
        }

        if (Record.InstallAttempts >= _options.MaxInstallAttempts)
        {
            await FailAsync(OtaReason.InstallFailed, $"rauc install did not complete in {Record.InstallAttempts} attempts; {Record.Message}", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.Settled;
        }

        await PersistAsync(Record with { InstallAttempts = Record.InstallAttempts + 1 }, $"installing (attempt {Record.InstallAttempts + 1})", cancellationToken).ConfigureAwait(false);
        try
        {
            await _rauc.InstallAsync(path, cancellationToken).ConfigureAwait(false);
            Log.Installed(_logger, job.JobId);
        }
        catch (RaucCommandException ex)
        {
            Log.InstallFailed(_logger, job.JobId, ex.Reason);
            _record = Record with { Message = $"rauc install: {ex.Reason}" };
            if (Record.InstallAttempts >= _options.MaxInstallAttempts)
            {
                await FailAsync(OtaReason.InstallFailed, $"rauc install failed: {ex.Reason}", cancellationToken).ConfigureAwait(false);
            }
        }

        return OtaRunResult.Settled;
    }

    /// <summary>Reports download progress as status messages while the bytes arrive.</summary>
    private sealed class StatusProgress(OtaAgent agent, OtaJob job, CancellationToken cancellationToken) : IProgress<long>
    {
        public void Report(long value)
        {
            Log.Progress(agent._logger, job.JobId, value, job.Size);
            var status = new OtaStatus(job.JobId, job.Version, OtaState.Downloading, OtaReason.None, "downloading", value, job.Size, agent._time.GetUtcNow());
            // The download goes on while the status is sent; a slow link must not slow the transfer.
            _ = agent.PublishAsync(status, cancellationToken);
        }
    }
}
