using Microsoft.Extensions.Hosting;
using StepAudio.Ops.Fleet;

namespace StepAudio.Appliance.Fleet;

/// <summary>
/// The fleet link's supervisor loop as a hosted service (with no broker configured, the link
/// runs the embedded one on loopback itself, so a single box works out of the box).
/// </summary>
internal sealed class FleetService(FleetLink link) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => link.RunAsync(stoppingToken);
}
