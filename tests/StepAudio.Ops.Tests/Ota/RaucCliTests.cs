using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Ops.Ota.Rauc;
using StepAudio.Ops.Tests.Ota.Rig;

namespace StepAudio.Ops.Tests.Ota;

[Collection(RaucGroup.Name)]
public sealed class RaucCliTests(OtaRigFixture rig) : IDisposable
{
    private readonly SimulatedDevice _device = rig.NewDevice();

    private RaucCli Cli() => new(Microsoft.Extensions.Options.Options.Create(_device.RaucOptions()), NullLogger<RaucCli>.Instance);

    [Fact]
    public async Task Info_WhenBundleIsSignedByKeyringCa_ReadsManifest()
    {
        var info = await Cli().InfoAsync(rig.Update.Path, CancellationToken.None);

        Assert.Equal((SimulatedDevice.Compatible, OtaRigFixture.UpdateVersion), (info.Compatible, info.Version));
        Assert.Equal("rootfs.ext4", info.Images["rootfs"]);
    }

    [Fact]
    public async Task Info_WhenVerityBundleIsIntact_ReadsManifestAndVerityFields()
    {
        var info = await Cli().InfoAsync(rig.VerityUpdate.Path, CancellationToken.None);

        Assert.Equal(("verity", OtaRigFixture.UpdateVersion), (info.Format, info.Version));
        Assert.NotNull(info.Verity);
        Assert.Equal((32, 32), (info.Verity.RootHash.Length, info.Verity.Salt.Length));
        Assert.True(info.Verity.HashTreeSize > 0);
    }

    [Fact]
    public async Task Info_WhenVerityPayloadByteIsFlipped_IsRejectedThoughRaucInfoAlonePasses()
    {
        // The flaw this guards against: rauc info checks only the signature over a verity bundle's manifest.
        var raucAlone = Tool.TryRun("rauc", null, "--conf=" + _device.ConfigPath, "info", "--output-format=json", rig.Tampered.Path);
        Assert.Equal(0, raucAlone.Code);

        var error = await Assert.ThrowsAsync<RaucBundleRejectedException>(() => Cli().InfoAsync(rig.Tampered.Path, CancellationToken.None));

        Assert.Contains("payload", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerityPayload_WhenHashTreeByteIsFlipped_FindsIt()
    {
        var info = await Cli().InfoAsync(rig.VerityUpdate.Path, CancellationToken.None);
        var bytes = File.ReadAllBytes(rig.VerityUpdate.Path);
        var signatureSize = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(bytes.Length - 8));
        var treeStart = bytes.Length - 8 - signatureSize - info.Verity!.HashTreeSize;
        bytes[treeStart + 5] ^= 0x01;
        var path = Path.Combine(_device.Root, "tree-tampered.raucb");
        File.WriteAllBytes(path, bytes);

        Assert.Null(VerityPayload.Check(rig.VerityUpdate.Path, info.Verity));
        Assert.Contains("hash tree", VerityPayload.Check(path, info.Verity), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_WhenSignedByAnotherCa_IsRejectedWithRaucsReason()
    {
        var error = await Assert.ThrowsAsync<RaucBundleRejectedException>(() => Cli().InfoAsync(rig.SignedByOtherCa.Path, CancellationToken.None));

        Assert.Contains("signature verification failed", error.Reason);
    }

    [Fact]
    public async Task Install_WhenCompatibleDiffers_RaucRefusesAndLeavesPrimary()
    {
        var error = await Assert.ThrowsAsync<RaucCommandException>(() => Cli().InstallAsync(rig.WrongCompatible.Path, CancellationToken.None));

        Assert.Contains("Compatible mismatch", error.Reason);
        Assert.Equal("A", _device.ReadBootFile("primary"));
    }

    [Fact]
    public async Task Install_WhenBundleIsGood_WritesOtherSlotAndMakesItPrimary()
    {
        await Cli().InstallAsync(rig.Update.Path, CancellationToken.None);
        var status = await Cli().GetStatusAsync(CancellationToken.None);

        Assert.Equal(("A", "rootfs.1"), (status.BootedBootName, status.PrimarySlot));
        Assert.Equal((OtaRigFixture.UpdateVersion, "ok"), (status.Find("rootfs.1")!.BundleVersion, status.Find("rootfs.1")!.InstallStatus));
        Assert.Equal(["set-state B bad", "set-primary B"], _device.BootloaderRequests().Where(r => r.StartsWith("set-", StringComparison.Ordinal)));
        Assert.Equal("B", _device.PowerCycle());
        Assert.Equal(OtaRigFixture.UpdateVersion, _device.BootedImageVersion());
    }

    [Fact]
    public async Task Mark_WhenBootedSlotIsMarkedBad_BootloaderFallsBackToOther()
    {
        await Cli().InstallAsync(rig.Update.Path, CancellationToken.None);
        _device.PowerCycle();

        await Cli().MarkAsync(RaucMark.Bad, "booted", CancellationToken.None);

        Assert.Equal("A", _device.PowerCycle());
        Assert.Equal("bad", (await Cli().GetStatusAsync(CancellationToken.None)).Find("rootfs.1")!.BootStatus);
    }

    public void Dispose() => _device.Dispose();
}
