using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Engine.Tests.Conversation.Fakes;

/// <summary>Keeps the pipeline's events and lets a test wait for one (no sleeping).</summary>
internal sealed class EventRecorder : IPipelineEventSink
{
    private readonly Lock _gate = new();
    private readonly List<PipelineEvent> _events = [];
    private readonly List<(Func<PipelineEvent, bool> Match, TaskCompletionSource<PipelineEvent> Done)> _waiters = [];

    public IReadOnlyList<PipelineEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<string> Types => Events.Select(e => e.Type).ToList();

    public void OnEvent(PipelineEvent pipelineEvent)
    {
        lock (_gate)
        {
            _events.Add(pipelineEvent);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(pipelineEvent))
                {
                    _waiters[i].Done.TrySetResult(pipelineEvent);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>The first event of <paramref name="type"/> (past or future) for which <paramref name="match"/> holds.</summary>
    public Task<PipelineEvent> WaitForAsync(string type, TimeSpan timeout, Func<PipelineEvent, bool>? match = null)
    {
        bool Matches(PipelineEvent e) => e.Type == type && (match is null || match(e));
        var done = new TaskCompletionSource<PipelineEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _events.FirstOrDefault(Matches);
            if (seen is not null)
            {
                return Task.FromResult(seen);
            }

            _waiters.Add((Matches, done));
        }

        return WithMessage(done.Task, type, timeout);
    }

    private async Task<PipelineEvent> WithMessage(Task<PipelineEvent> task, string type, TimeSpan timeout)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No '{type}' event within {timeout.TotalSeconds:0} s; saw: {string.Join(", ", Types)}");
        }
    }
}
