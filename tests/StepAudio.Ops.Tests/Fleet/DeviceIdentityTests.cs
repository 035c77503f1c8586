using StepAudio.Ops.Fleet;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class DeviceIdentityTests : IDisposable
{
    private const string MachineId = "4f1c2a9be0d34c7f9a51e2b7c6d80a13";
    private readonly string _dir = Directory.CreateTempSubdirectory("stepaudio-identity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TryFromMachineId_WhenFileHoldsMachineId_DerivesStableIdThatHidesIt()
    {
        var file = Write("a", MachineId + "\n");
        var other = Write("b", "0123456789abcdef0123456789abcdef\n");

        Assert.True(DeviceIdentity.TryFromMachineId(file, out var first, out _));
        Assert.True(DeviceIdentity.TryFromMachineId(file, out var again, out _));
        Assert.True(DeviceIdentity.TryFromMachineId(other, out var second, out _));

        Assert.Matches("^[0-9a-f]{32}$", first);
        Assert.Equal(first, again);
        Assert.NotEqual(first, second);
        Assert.NotEqual(MachineId, first);
    }

    [Theory]
    [InlineData("uninitialized\n")]
    [InlineData("")]
    [InlineData("00000000000000000000000000000000")]
    [InlineData("4F1C2A9BE0D34C7F9A51E2B7C6D80A1")]
    public void TryFromMachineId_WhenFileHoldsNoMachineId_SaysSo(string content)
    {
        var file = Write("bad", content);

        Assert.False(DeviceIdentity.TryFromMachineId(file, out var id, out var problem));
        Assert.Empty(id);
        Assert.Contains(file, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveDeviceId_WhenNoMachineIdAndNoneProvisioned_LeavesItEmptyAndValidationSaysHowToFixIt()
    {
        var options = new FleetLinkOptions { MachineIdFile = Path.Combine(_dir, "missing") };

        options.ResolveDeviceId();

        Assert.Empty(options.DeviceId);
        Assert.NotEqual(Environment.MachineName.ToLowerInvariant(), options.DeviceId);
        var failure = new FleetLinkOptionsValidator().Validate(null, options).FailureMessage;
        Assert.Contains("Fleet:DeviceId", failure, StringComparison.Ordinal);
        Assert.Contains("machine-id", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveDeviceId_WhenProvisioned_KeepsTheProvisionedId()
    {
        var options = new FleetLinkOptions { DeviceId = "kitchen", MachineIdFile = Write("a", MachineId) };

        options.ResolveDeviceId();

        Assert.Equal("kitchen", options.DeviceId);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}
