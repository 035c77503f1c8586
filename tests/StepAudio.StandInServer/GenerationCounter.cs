namespace StepAudio.StandInServer;

/// <summary>An exact counter that tests can wait on instead of sleeping.</summary>
internal sealed class GenerationCounter(string name)
{
    private readonly Lock _gate = new();
    private readonly List<(int Target, TaskCompletionSource Done)> _waiters = [];
    private int _value;

    public int Value => Volatile.Read(ref _value);

    public void Increment()
    {
        int value = Interlocked.Increment(ref _value);
        lock (_gate)
        {
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Target <= value)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public async Task WaitForAsync(int count, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (Value >= count)
            {
                return;
            }

            _waiters.Add((count, done));
        }

        try
        {
            await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Done == done);
            }

            throw new TimeoutException($"{name} stayed at {Value} within {timeout.TotalSeconds:0.###} s; expected at least {count}.");
        }
    }
}
