using StepAudio.Ops.Ota;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>What the device was doing when a reboot was asked for.</summary>
internal sealed record RebootRequest(string Reason, bool TurnInProgress, bool AudioPlaying, bool ReplyReleased);

/// <summary>Records each reboot request with the device's activity at that moment, then runs <paramref name="onReboot"/> (the bootloader's part).</summary>
internal sealed class RecordingReboot(Func<IDeviceActivity> activity, Func<bool> replyReleased, Action onReboot) : ISystemReboot
{
    private readonly List<RebootRequest> _requests = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

    public TaskCompletionSource<RebootRequest> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<RebootRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Completes once <paramref name="count"/> reboots have been asked for.</summary>
    public Task WaitForCountAsync(int count, TimeSpan timeout)
    {
        lock (_requests)
        {
            if (_requests.Count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(timeout);
        }
    }

    public Task RequestRebootAsync(string reason, CancellationToken cancellationToken)
    {
        var device = activity();
        var request = new RebootRequest(reason, device.TurnInProgress, device.AudioPlaying, replyReleased());
        lock (_requests)
        {
            _requests.Add(request);
            foreach (var waiter in _waiters.Where(w => w.Count <= _requests.Count).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }

        onReboot();
        First.TrySetResult(request);
        return Task.CompletedTask;
    }
}
