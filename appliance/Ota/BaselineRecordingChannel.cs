using System.Runtime.CompilerServices;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Ota.State;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// Passes jobs through to the agent, first recording an <see cref="UpdateBaseline"/> (broker and
/// GPU server reachability) for a job the agent will consider: only while no other update is in
/// progress, so a refused second job never overwrites the baseline of the one under way.
/// </summary>
internal sealed class BaselineRecordingChannel(
    IOtaChannel inner,
    OtaStateStore store,
    string stateDirectory,
    LinkReachability links,
    TimeProvider time) : IOtaChannel
{
    /// <inheritdoc />
    public async IAsyncEnumerable<OtaJob> ReadJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var job in inner.ReadJobsAsync(cancellationToken))
        {
            if (store.Load().IsSettled)
            {
                var look = await links.Server.LookAsync(cancellationToken);
                new UpdateBaseline(job.JobId, links.BrokerState() == FleetConnectionState.Connected, look.Answer, look.Detail, time.GetUtcNow()).Save(stateDirectory);
            }

            yield return job;
        }
    }

    /// <inheritdoc />
    public Task PublishStatusAsync(OtaStatus status, CancellationToken cancellationToken) => inner.PublishStatusAsync(status, cancellationToken);

    /// <inheritdoc />
    public Task PublishOutcomeAsync(OtaOutcomeEvent outcome, CancellationToken cancellationToken) => inner.PublishOutcomeAsync(outcome, cancellationToken);
}
