using StepAudio.Ops.Fleet;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// The two links an update's health depends on and that an update cannot break by itself: the
/// broker (as the fleet link sees it now) and the GPU server (asked on demand). Read before an
/// update as its baseline and after it as its verdict.
/// </summary>
/// <param name="BrokerState">The fleet link's connection state right now.</param>
/// <param name="Server">Asks the GPU server's <c>/health</c>.</param>
internal sealed record LinkReachability(Func<FleetConnectionState> BrokerState, ServerReachability Server);
