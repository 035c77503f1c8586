using System.Security.Cryptography;

namespace StepAudio.Ops.Tests.Ota.Rig;

/// <summary>A signed bundle on disk and what the job needs to know about it.</summary>
internal sealed record BuiltBundle(string Path, string Version, string Compatible, long Size, string Sha256, string ImageSha256);

/// <summary>Builds real RAUC bundles: an ext4 root filesystem image with a version marker, a manifest, <c>rauc bundle</c>.</summary>
internal static class BundleFactory
{
    public const long ImageBytes = 8L * 1024 * 1024;

    public static string BuildImage(string directory, string version, int payloadBytes = 400_000)
    {
        var root = Path.Combine(directory, $"root-{version}");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.WriteAllText(Path.Combine(root, "etc", "stepaudio-version"), version + "\n");
        // Incompressible payload so squashfs is not trivially small (RAUC wants more than one block).
        File.WriteAllBytes(Path.Combine(root, "payload.bin"), RandomNumberGenerator.GetBytes(payloadBytes));
        var image = Path.Combine(directory, $"rootfs-{version}.ext4");
        File.Delete(image);
        Tool.Run("mkfs.ext4", "-q", "-F", "-d", root, "-E", "root_owner=0:0", image, $"{ImageBytes / 1024}k");
        return image;
    }

    /// <summary>Builds a bundle; <paramref name="format"/> is RAUC's <c>[bundle] format</c>, <c>verity</c> as the image ships.</summary>
    public static BuiltBundle Build(string directory, string version, string compatible, SigningAuthority signer, string? image = null, string format = "verity")
    {
        var content = Path.Combine(directory, $"content-{version}-{compatible}-{format}");
        Directory.CreateDirectory(content);
        image ??= BuildImage(directory, version);
        File.Copy(image, Path.Combine(content, "rootfs.ext4"), overwrite: true);
        File.WriteAllText(Path.Combine(content, "manifest.raucm"),
            $"[update]\ncompatible={compatible}\nversion={version}\n\n[bundle]\nformat={format}\n\n[image.rootfs]\nfilename=rootfs.ext4\n");
        var bundle = Path.Combine(directory, $"stepaudio-{version}-{compatible}-{Guid.NewGuid():N}.raucb");
        Tool.Run("rauc", "bundle", "--cert=" + signer.SigningCertificate, "--key=" + signer.SigningKey, content, bundle);
        return Describe(bundle, version, compatible, image);
    }

    public static BuiltBundle Describe(string bundle, string version, string compatible, string image)
    {
        var bytes = File.ReadAllBytes(bundle);
        return new BuiltBundle(bundle, version, compatible, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(image))));
    }

    /// <summary>
    /// A copy of <paramref name="bundle"/> with one byte flipped inside its squashfs payload: a third of the way in
    /// is inside it for these bundles, whose payload is far larger than the hash tree and signature behind it.
    /// </summary>
    public static BuiltBundle Tamper(BuiltBundle bundle, string directory)
    {
        var bytes = File.ReadAllBytes(bundle.Path);
        bytes[bytes.Length / 3] ^= 0x01;
        var path = Path.Combine(directory, $"tampered-{Guid.NewGuid():N}.raucb");
        File.WriteAllBytes(path, bytes);
        return bundle with { Path = path, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
    }
}
