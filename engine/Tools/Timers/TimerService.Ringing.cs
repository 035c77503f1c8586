using Microsoft.Extensions.Logging;

namespace StepAudio.Engine.Tools.Timers;

public sealed partial class TimerService
{
    /// <summary>Stops the chime; returns false when nothing was ringing.</summary>
    public bool StopRinging(string reason)
    {
        CancellationTokenSource? ringing;
        lock (_gate)
        {
            ringing = _ringing;
            _ringing = null;
        }

        if (ringing is null)
        {
            return false;
        }

        try
        {
            ringing.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The ring limit ended it at the same moment.
        }

        Log.RingingStopped(_logger, reason);
        RingingStopped?.Invoke(this, new RingingStoppedEventArgs(reason));
        return true;
    }

    private void Ring(List<TimerEntry> timers)
    {
        foreach (TimerEntry timer in timers)
        {
            Log.Rang(_logger, timer.Id, timer.Label);
            TimerRang?.Invoke(this, new TimerEventArgs(timer));
        }

        lock (_gate)
        {
            if (_ringing is not null || _disposed)
            {
                return; // already ringing: the new timer joins the ring in progress
            }

            var ringing = new CancellationTokenSource();
            _ringing = ringing;
            _ringTask = RingAsync(ringing);
        }
    }

    private async Task RingAsync(CancellationTokenSource ringing)
    {
        using var limit = new CancellationTokenSource(_options.RingLimit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ringing.Token, limit.Token);
        try
        {
            while (!linked.IsCancellationRequested)
            {
                await _output.WriteAsync(_chime, linked.Token).ConfigureAwait(false);
                await Task.Delay(_options.ChimeGap + TimeSpan.FromSeconds(_chime.Length / (double)_output.SampleRate), _time, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // Stopped by a person or by the limit.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.RingFailed(_logger, ex.Message);
        }
        finally
        {
            bool byLimit;
            lock (_gate)
            {
                byLimit = ReferenceEquals(_ringing, ringing);
                if (byLimit)
                {
                    _ringing = null;
                }
            }

            ringing.Dispose();
            if (byLimit)
            {
                Log.RingingStopped(_logger, "limit");
                RingingStopped?.Invoke(this, new RingingStoppedEventArgs("limit"));
            }
        }
    }
}
