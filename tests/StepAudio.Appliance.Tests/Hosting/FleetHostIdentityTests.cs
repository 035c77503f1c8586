using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Hosting;
using StepAudio.Ops.Fleet;

namespace StepAudio.Appliance.Tests.Hosting;

public sealed class FleetHostIdentityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stepaudio-host-identity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Build_WhenDeviceIdIsNotProvisioned_TakesItFromMachineIdNotHostName()
    {
        var machineId = Path.Combine(_dir, "machine-id");
        File.WriteAllText(machineId, "4f1c2a9be0d34c7f9a51e2b7c6d80a13\n");
        Assert.True(DeviceIdentity.TryFromMachineId(machineId, out var expected, out _));

        using var host = ApplianceHost.Build(settings: new Dictionary<string, string?>
        {
            ["Hosting:StateDirectory"] = _dir,
            ["Fleet:MachineIdFile"] = machineId,
        });

        var deviceId = host.Services.GetRequiredService<IOptions<FleetLinkOptions>>().Value.DeviceId;
        Assert.Equal(expected, deviceId);
        Assert.NotEqual(Environment.MachineName.ToLowerInvariant(), deviceId);
    }

    [Fact]
    public void Build_WhenNoMachineIdAndNoneProvisioned_FailsNamingFleetDeviceId()
    {
        using var host = ApplianceHost.Build(settings: new Dictionary<string, string?>
        {
            ["Hosting:StateDirectory"] = _dir,
            ["Fleet:MachineIdFile"] = Path.Combine(_dir, "missing"),
        });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<FleetLinkOptions>>().Value);
        Assert.Contains("Fleet:DeviceId", error.Message, StringComparison.Ordinal);
    }
}
