using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.TestSupport.Replay.Fakes;

/// <summary>Keeps every pipeline event, in order, and lets a caller wait for one instead of sleeping.</summary>
public sealed class RecordingEventSink : IPipelineEventSink
{
    private readonly Lock _gate = new();
    private readonly List<PipelineEvent> _events = [];
    private readonly List<(Func<PipelineEvent, bool> Match, TaskCompletionSource<PipelineEvent> Done)> _waiters = [];

    /// <summary>A copy of the events so far.</summary>
    public IReadOnlyList<PipelineEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToArray();
            }
        }
    }

    public void OnEvent(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
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

    /// <summary>Events of <paramref name="type"/> for <paramref name="turnId"/>.</summary>
    public IReadOnlyList<PipelineEvent> OfTurn(int turnId, string type) =>
        Events.Where(e => e.Type == type && TurnOf(e) == turnId).ToArray();

    /// <summary>Completes with the first event (past or future) of <paramref name="type"/> for <paramref name="turnId"/>.</summary>
    /// <exception cref="TimeoutException">None came within <paramref name="timeout"/>.</exception>
    public async Task<PipelineEvent> WaitForAsync(string type, int turnId, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<PipelineEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool Match(PipelineEvent e) => e.Type == type && TurnOf(e) == turnId;
        lock (_gate)
        {
            var seen = _events.FirstOrDefault(Match);
            if (seen is not null)
            {
                return seen;
            }

            _waiters.Add((Match, done));
        }

        try
        {
            return await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No '{type}' event for turn {turnId} within {timeout.TotalSeconds:0.#} s; events so far: {string.Join(", ", Events.Select(e => e.Type))}.");
        }
    }

    /// <summary>The turn an event belongs to, or -1 for one outside any turn.</summary>
    public static int TurnOf(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        return pipelineEvent is TurnEvent turnEvent ? turnEvent.Turn : -1;
    }
}
