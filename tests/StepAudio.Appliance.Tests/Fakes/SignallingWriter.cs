using System.Text;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>A thread-safe console writer that lets a test await the first line containing some text.</summary>
internal sealed class SignallingWriter : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();
    private readonly List<(string Needle, TaskCompletionSource Seen)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        List<TaskCompletionSource> seen = [];
        lock (_gate)
        {
            _text.Append(value);
            if (value != '\n')
            {
                return;
            }

            var text = _text.ToString();
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (text.Contains(_waiters[i].Needle, StringComparison.Ordinal))
                {
                    seen.Add(_waiters[i].Seen);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var done in seen)
        {
            done.TrySetResult();
        }
    }

    /// <summary>Completes once a written line contains <paramref name="needle"/>.</summary>
    public Task WaitForAsync(string needle, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_text.ToString().Contains(needle, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((needle, seen));
        }

        return seen.Task.WaitAsync(timeout);
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _text.ToString();
        }
    }
}
