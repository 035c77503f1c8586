using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Echo;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>The playback thread's side: rendering and writing periods, finishing and stopping replies, waiting for work.</summary>
public sealed partial class AlsaPlayback
{
    /// <summary>Plays until disposed (returns 0) or until the device fails (returns the error).</summary>
    private int PlayUntilDisposedOrFailed(IPcmDevice device, PlaybackRenderer renderer)
    {
        while (!_disposed)
        {
            if (Volatile.Read(ref _pendingStop) is not null)
            {
                var stopError = FadeOutAndStop(device, renderer);
                if (stopError < 0)
                {
                    return stopError;
                }

                continue;
            }

            var complete = Volatile.Read(ref _pendingComplete);
            var limit = complete?.EndsAt ?? long.MaxValue;
            if (renderer.Pull(_queue, limit) > 0)
            {
                ReleaseWriter();
            }

            if (renderer.HasPeriod)
            {
                var error = WriteRendered(device, renderer, renderer.Render(renderer.PeriodFrames, Volume));
                if (error < 0)
                {
                    return error;
                }

                continue;
            }

            if (complete is not null && _queue.TotalRead >= limit)
            {
                var error = FinishReply(device, renderer);
                if (error < 0)
                {
                    return error;
                }

                Interlocked.CompareExchange(ref _pendingComplete, null, complete);
                complete.TrySetResult();
                continue;
            }

            WaitForWork();
        }

        return 0;
    }

    /// <summary>Plays out the resampler's tail, waits for the device to play everything, and readies it for the next reply.</summary>
    private int FinishReply(IPcmDevice device, PlaybackRenderer renderer)
    {
        renderer.Flush();
        while (renderer.PendingFrames > 0)
        {
            var error = WriteRendered(device, renderer, renderer.Render(renderer.PeriodFrames, Volume));
            if (error < 0)
            {
                return error;
            }
        }

        _tap?.EndOfStream();
        return DrainAndPrepare(device);
    }

    /// <summary>
    /// Barge-in. Takes back what the device will let go of (snd_pcm_rewind), plays a short fade of the audio that
    /// would have followed, drains that (at most about a period plus the fade) and discards everything queued.
    /// </summary>
    private int FadeOutAndStop(IPcmDevice device, PlaybackRenderer renderer)
    {
        var rewindable = device.Rewindable();
        var rewound = rewindable > 0 ? device.Rewind(rewindable) : 0;
        if (rewound < 0)
        {
            if (!_rewindUnsupportedLogged)
            {
                _rewindUnsupportedLogged = true;
                Log.RewindUnsupported(_logger, _options.Device, LibAsound.StrError(rewound));
            }

            rewound = 0;
        }

        var format = device.Format;
        var fadeFrames = Math.Clamp((int)((long)_options.StopFadeMs * format.SampleRate / 1000), 1, format.PeriodFrames);
        var error = WriteRendered(device, renderer, renderer.RenderFade(rewound, fadeFrames, _queue));
        _tap?.EndOfStream();
        _queue.Discard();
        renderer.Reset();
        ReleaseWriter();
        if (error >= 0)
        {
            error = DrainAndPrepare(device);
        }

        Log.Stopped(_logger, _options.Device, rewound, fadeFrames);

        // The reply is over whether or not the device took the fade.
        var complete = Interlocked.Exchange(ref _pendingComplete, null);
        complete?.TrySetResult();
        var stop = Interlocked.Exchange(ref _pendingStop, null);
        stop?.TrySetResult();
        return error;
    }

    private int DrainAndPrepare(IPcmDevice device)
    {
        var error = device.Drain();
        if (error < 0 && AlsaErrno.IsXrun(error))
        {
            // An underrun as the last frames played is the end we were waiting for anyway.
            CountXrun();
            error = 0;
        }

        return error < 0 ? error : device.Prepare();
    }

    /// <summary>Writes a rendered block and, once the device has it, shows it to the echo canceller's reference.</summary>
    private int WriteRendered(IPcmDevice device, PlaybackRenderer renderer, ReadOnlySpan<byte> raw)
    {
        var error = WriteAll(device, raw);
        if (error >= 0)
        {
            _tap?.Tap(renderer.LastRendered);
        }

        return error;
    }

    /// <summary>Writes every frame, recovering from underruns. Returns 0, or the error that ended the device.</summary>
    private int WriteAll(IPcmDevice device, ReadOnlySpan<byte> raw)
    {
        var frameBytes = device.Format.Channels * device.SampleFormat.BytesPerSample();
        var frames = raw.Length / frameBytes;
        var offset = 0;
        while (offset < frames)
        {
            var result = device.Write(raw[(offset * frameBytes)..], frames - offset);
            if (result >= 0)
            {
                offset += result;
                continue;
            }

            if (AlsaErrno.IsTransient(result))
            {
                continue;
            }

            if (!AlsaErrno.IsXrun(result))
            {
                return result;
            }

            CountXrun();
            var recovered = device.Recover(result);
            Log.Xrun(_logger, _options.Device, LibAsound.StrError(result), recovered);
            if (recovered < 0)
            {
                return recovered;
            }
        }

        return 0;
    }

    private void CountXrun()
    {
        Interlocked.Increment(ref _xruns);
        _metrics.RecordXrun(Direction, _options.Device);
    }

    private void WaitForWork()
    {
        // Reset, then look again: anything published after the reset sets the event, so no wake-up is lost.
        _wake.Reset();
        if (_disposed || _queue.Count > 0 || Volatile.Read(ref _pendingStop) is not null || Volatile.Read(ref _pendingComplete) is not null)
        {
            return;
        }

        _wake.Wait();
    }

    private void ReleaseWriter()
    {
        if (Interlocked.Exchange(ref _writerWaiting, 0) == 1)
        {
            _space.Release();
        }
    }

    /// <summary>
    /// Waits out the backoff before a reopen. Meanwhile audio handed in is discarded and replies and stops complete at
    /// once, so the rest of the appliance keeps running without a speaker.
    /// </summary>
    bool IPcmStreamLoop.WaitBeforeReopen(TimeSpan delay)
    {
        var deadline = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
        while (!_disposed)
        {
            _wake.Reset();
            _queue.Discard();
            _renderer?.Reset();
            ReleaseWriter();
            CompletePending();
            var remaining = deadline - _time.GetTimestamp();
            if (remaining <= 0)
            {
                return true;
            }

            _wake.Wait(TimeSpan.FromSeconds(remaining / (double)_time.TimestampFrequency));
        }

        return false;
    }

    private void CompletePending()
    {
        Interlocked.Exchange(ref _pendingComplete, null)?.TrySetResult();
        Interlocked.Exchange(ref _pendingStop, null)?.TrySetResult();
    }
}
