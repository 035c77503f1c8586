using System.Runtime.CompilerServices;
using System.Threading.Channels;
using StepAudio.Ops.Ota;

namespace StepAudio.Ops.Tests.Ota.Fakes;

/// <summary>The fleet side in memory: jobs written by the test, statuses and outcomes recorded.</summary>
internal sealed class InMemoryOtaChannel : IOtaChannel
{
    private readonly Channel<OtaJob> _jobs = Channel.CreateUnbounded<OtaJob>();

    public List<OtaStatus> Statuses { get; } = [];

    public List<OtaOutcomeEvent> Outcomes { get; } = [];

    public bool FailPublishing { get; set; }

    public void Send(OtaJob job) => _jobs.Writer.TryWrite(job);

    public void Complete() => _jobs.Writer.TryComplete();

    public async IAsyncEnumerable<OtaJob> ReadJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var job in _jobs.Reader.ReadAllAsync(cancellationToken))
        {
            yield return job;
        }
    }

    public Task PublishStatusAsync(OtaStatus status, CancellationToken cancellationToken)
    {
        if (FailPublishing)
        {
            throw new InvalidOperationException("the broker is unreachable");
        }

        lock (Statuses)
        {
            Statuses.Add(status);
        }

        return Task.CompletedTask;
    }

    public Task PublishOutcomeAsync(OtaOutcomeEvent outcome, CancellationToken cancellationToken)
    {
        if (FailPublishing)
        {
            throw new InvalidOperationException("the broker is unreachable");
        }

        Outcomes.Add(outcome);
        return Task.CompletedTask;
    }
}
