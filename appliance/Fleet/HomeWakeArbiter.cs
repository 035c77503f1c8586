using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Turns;
using StepAudio.Ops.Arbitration;

namespace StepAudio.Appliance.Fleet;

/// <summary>The engine's wake arbiter, answered by the home's arbitration over the fleet link.</summary>
internal sealed class HomeWakeArbiter(HomeArbitrator arbitrator) : IWakeArbiter
{
    public Task<bool> ShouldAnswerAsync(WakeClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var message = new WakeClaimMessage(arbitrator.DeviceId, claim.TurnId, claim.Keyword, claim.Score, claim.SignalToNoiseDb, claim.HeardAt);
        return arbitrator.ClaimAsync(message, cancellationToken);
    }
}
