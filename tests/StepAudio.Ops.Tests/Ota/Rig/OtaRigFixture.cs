namespace StepAudio.Ops.Tests.Ota.Rig;

/// <summary>Signing authorities, a factory image and bundles built once with the real openssl and rauc.</summary>
public sealed class OtaRigFixture : IDisposable
{
    public const string UpdateVersion = "1.1.0";

    public OtaRigFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "stepaudio-ota-rig-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        Authority = SigningAuthority.Create(Path.Combine(Directory, "ca"), "stepaudio");
        var intruder = SigningAuthority.Create(Path.Combine(Directory, "intruder"), "intruder");
        FactoryImage = BundleFactory.BuildImage(Directory, SimulatedDevice.FactoryVersion);
        UpdateImage = BundleFactory.BuildImage(Directory, UpdateVersion);
        // Installing a verity bundle needs device-mapper, which this host lacks: the bundles that get installed are
        // plain; the ones only the pre-check sees are verity, the format the image ships.
        Update = BundleFactory.Build(Directory, UpdateVersion, SimulatedDevice.Compatible, Authority, UpdateImage, format: "plain");
        VerityUpdate = BundleFactory.Build(Directory, UpdateVersion, SimulatedDevice.Compatible, Authority, UpdateImage);
        Tampered = BundleFactory.Tamper(VerityUpdate, Directory);
        SignedByOtherCa = BundleFactory.Build(Directory, UpdateVersion, SimulatedDevice.Compatible, intruder, UpdateImage);
        WrongCompatible = BundleFactory.Build(Directory, UpdateVersion, "some-other-product", Authority, UpdateImage, format: "plain");
    }

    public string Directory { get; }

    internal SigningAuthority Authority { get; }

    internal string FactoryImage { get; }

    internal string UpdateImage { get; }

    internal BuiltBundle Update { get; }

    /// <summary>The update as a verity bundle (not installable here, see the constructor).</summary>
    internal BuiltBundle VerityUpdate { get; }

    /// <summary><see cref="VerityUpdate"/> with one payload byte flipped: the signature over the manifest still holds.</summary>
    internal BuiltBundle Tampered { get; }

    internal BuiltBundle SignedByOtherCa { get; }

    internal BuiltBundle WrongCompatible { get; }

    internal SimulatedDevice NewDevice()
    {
        var device = new SimulatedDevice(Authority, FactoryImage);
        device.KnownImages[Update.ImageSha256] = UpdateVersion;
        return device;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>Tests that build bundles and run RAUC share one rig (and run one at a time: RAUC mounts bundles on loop devices).</summary>
[CollectionDefinition(Name)]
public sealed class RaucGroup : ICollectionFixture<OtaRigFixture>
{
    public const string Name = "RAUC";
}
