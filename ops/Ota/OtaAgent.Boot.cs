using StepAudio.Ops.Ota.Rauc;

namespace StepAudio.Ops.Ota;

/// <summary>Reboot, health check, commit and rollback.</summary>
public sealed partial class OtaAgent
{
    private async Task<OtaRunResult> AwaitRebootAsync(CancellationToken cancellationToken)
    {
        var job = Record.Job!;
        if (Record.RebootRequestedInBoot != _boot.CurrentBootId)
        {
            await PersistAsync(Record with { State = OtaState.Rebooted }, "rebooted after the install", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.Settled;
        }

        while (true)
        {
            var now = _time.GetUtcNow();
            if (now > job.Deadline)
            {
                // Give the old slot the primary role back, so no later reboot lands in the update.
                if (Record.PreviousSlot is { } previous)
                {
                    await _rauc.MarkAsync(RaucMark.Active, previous, cancellationToken).ConfigureAwait(false);
                }

                await FailAsync(OtaReason.RebootWindowMissed, $"the device was not idle before the deadline {job.Deadline:O}; {Record.PreviousSlot} stays primary.", cancellationToken).ConfigureAwait(false);
                return OtaRunResult.Settled;
            }

            var inWindow = job.NotBefore is not { } notBefore || now >= notBefore;
            if (inWindow && !_activity.TurnInProgress && !_activity.AudioPlaying)
            {
                break;
            }

            await Task.Delay(_options.IdlePollInterval, _time, cancellationToken).ConfigureAwait(false);
        }

        Log.Rebooting(_logger, job.JobId, Record.TargetSlot);
        await _reboot.RequestRebootAsync($"OTA {job.JobId}: boot {job.Version} in {Record.TargetSlot}", cancellationToken).ConfigureAwait(false);
        return OtaRunResult.RebootRequested;
    }

    private async Task<OtaRunResult> CameBackAsync(CancellationToken cancellationToken)
    {
        var status = await _rauc.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var booted = status.BootedSlot?.Name;
        if (booted != Record.TargetSlot)
        {
            return await NewSlotDidNotBootAsync(booted, cancellationToken).ConfigureAwait(false);
        }

        await PersistAsync(Record with { State = OtaState.HealthCheck, SeenInBoot = _boot.CurrentBootId, BootAttempts = Record.BootAttempts + 1 },
            $"running {booted}; checking health (boot {Record.BootAttempts + 1} of {_options.MaxBootAttempts})", cancellationToken).ConfigureAwait(false);
        return OtaRunResult.Settled;
    }

    private async Task<OtaRunResult> CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (Record.SeenInBoot != _boot.CurrentBootId)
        {
            // The device went down during the check: count the boot, then decide again.
            var status = await _rauc.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.BootedSlot?.Name != Record.TargetSlot)
            {
                return await NewSlotDidNotBootAsync(status.BootedSlot?.Name, cancellationToken).ConfigureAwait(false);
            }

            await PersistAsync(Record with { SeenInBoot = _boot.CurrentBootId, BootAttempts = Record.BootAttempts + 1 },
                $"booted {Record.TargetSlot} again (boot {Record.BootAttempts + 1} of {_options.MaxBootAttempts})", cancellationToken).ConfigureAwait(false);
        }

        if (Record.BootAttempts > _options.MaxBootAttempts)
        {
            return await RollBackAsync(OtaReason.BootAttemptsExhausted, $"{Record.TargetSlot} did not pass a health check in {_options.MaxBootAttempts} boots.", cancellationToken).ConfigureAwait(false);
        }

        HealthReport report;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.HealthCheckTimeout);
            try
            {
                report = await _health.CheckAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                report = new HealthReport([new HealthCheckResult("probe", HealthVerdict.Failed, ex is OperationCanceledException ? $"no answer within {_options.HealthCheckTimeout}" : ex.Message)]);
            }
        }

        Log.Health(_logger, Record.Job!.JobId, report.UpdateIsHealthy, report.Summary());
        if (!report.UpdateIsHealthy)
        {
            return await RollBackAsync(OtaReason.HealthCheckFailed, $"health check failed on {Record.TargetSlot}: {report.Summary()}", cancellationToken).ConfigureAwait(false);
        }

        await _rauc.MarkAsync(RaucMark.Good, "booted", cancellationToken).ConfigureAwait(false);
        await PersistAsync(Record with { State = OtaState.Committed, Reason = OtaReason.None, MarkedGoodInBoot = _boot.CurrentBootId, Message = null },
            $"{Record.Job.Version} committed in {Record.TargetSlot}: {report.Summary()}", cancellationToken).ConfigureAwait(false);
        return OtaRunResult.Settled;
    }

    private async Task<OtaRunResult> RollBackAsync(OtaReason reason, string message, CancellationToken cancellationToken)
    {
        await _rauc.MarkAsync(RaucMark.Bad, "booted", cancellationToken).ConfigureAwait(false);
        await PersistAsync(Record with { State = OtaState.RolledBack, Reason = reason, Message = message, RebootPending = true, RebootRequestedInBoot = _boot.CurrentBootId },
            message, cancellationToken).ConfigureAwait(false);
        return OtaRunResult.Settled;
    }

    private async Task<OtaRunResult> NewSlotDidNotBootAsync(string? booted, CancellationToken cancellationToken)
    {
        // The bootloader gave up on the new slot; make sure it never tries it again.
        if (Record.TargetSlot is { } target)
        {
            await _rauc.MarkAsync(RaucMark.Bad, target, cancellationToken).ConfigureAwait(false);
        }

        await _rauc.MarkAsync(RaucMark.Good, "booted", cancellationToken).ConfigureAwait(false);
        await PersistAsync(Record with
        {
            State = OtaState.RolledBack,
            Reason = OtaReason.NewSlotDidNotBoot,
            RebootPending = false,
            MarkedGoodInBoot = _boot.CurrentBootId,
            Message = $"the bootloader started {booted} instead of {Record.TargetSlot}.",
        }, $"the bootloader started {booted} instead of {Record.TargetSlot}.", cancellationToken).ConfigureAwait(false);
        return OtaRunResult.Settled;
    }

    private async Task<OtaRunResult> FinishRollbackAsync(CancellationToken cancellationToken)
    {
        if (Record.RebootRequestedInBoot == _boot.CurrentBootId)
        {
            Log.Rebooting(_logger, Record.Job!.JobId, Record.PreviousSlot);
            await _reboot.RequestRebootAsync($"OTA {Record.Job.JobId}: back to {Record.PreviousSlot}", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.RebootRequested;
        }

        var status = await _rauc.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var booted = status.BootedSlot?.Name;
        if (booted == Record.TargetSlot)
        {
            var attempts = Record.BootAttempts + 1;
            if (attempts > _options.MaxBootAttempts + 1)
            {
                await PersistAsync(Record with { State = OtaState.Failed, Reason = OtaReason.RollbackFailed, RebootPending = false, BootAttempts = attempts },
                    $"the bootloader keeps starting {booted} although it is marked bad.", cancellationToken).ConfigureAwait(false);
                return OtaRunResult.Settled;
            }

            await _rauc.MarkAsync(RaucMark.Bad, "booted", cancellationToken).ConfigureAwait(false);
            await PersistAsync(Record with { BootAttempts = attempts, RebootRequestedInBoot = _boot.CurrentBootId }, $"still in {booted} after the rollback reboot; rebooting again", cancellationToken).ConfigureAwait(false);
            return OtaRunResult.Settled;
        }

        await _rauc.MarkAsync(RaucMark.Good, "booted", cancellationToken).ConfigureAwait(false);
        await PersistAsync(Record with { RebootPending = false, MarkedGoodInBoot = _boot.CurrentBootId }, Record.Message ?? $"running {booted} again", cancellationToken).ConfigureAwait(false);
        return OtaRunResult.Settled;
    }

    /// <summary>
    /// What rauc-mark-good does on every boot: the running slot is good, unless it is the update on
    /// trial, whose fate the health check decides.
    /// </summary>
    private async Task MarkBootedGoodUnlessOnTrialAsync(CancellationToken cancellationToken)
    {
        var record = Record;
        if (record.MarkedGoodInBoot == _boot.CurrentBootId)
        {
            return;
        }

        var booted = (await _rauc.GetStatusAsync(cancellationToken).ConfigureAwait(false)).BootedSlot?.Name;
        var onTrial = record.PreviousSlot is not null && booted != record.PreviousSlot
            && record.State is OtaState.Installing or OtaState.AwaitingReboot or OtaState.Rebooted or OtaState.HealthCheck or OtaState.RolledBack;
        if (booted is null || onTrial || (record.State == OtaState.RolledBack && record.RebootPending))
        {
            return;
        }

        await _rauc.MarkAsync(RaucMark.Good, "booted", cancellationToken).ConfigureAwait(false);
        _store.Save(record with { MarkedGoodInBoot = _boot.CurrentBootId });
        _record = record with { MarkedGoodInBoot = _boot.CurrentBootId };
    }
}
