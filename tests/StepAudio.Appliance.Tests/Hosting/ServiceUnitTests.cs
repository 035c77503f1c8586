using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StepAudio.Appliance.Hosting;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Hosting;

/// <summary>
/// The systemd unit and what the image installs beside it, checked with systemd's own tools
/// (systemd-analyze, systemd-sysusers, systemd-tmpfiles from the Debian package 'systemd'; a
/// missing tool fails the test) and against deploy.sh's slot layout.
/// </summary>
public sealed partial class ServiceUnitTests : IDisposable
{
    private const double MaxExposure = 2.5;
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"stepaudio-unit-{Guid.NewGuid():N}");

    public ServiceUnitTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void SecurityExposure_OfTheUnit_IsAtMostTwoPointFive()
    {
        var report = Encoding.UTF8.GetString(ExternalTool.Run("systemd-analyze", ["security", "--offline=true", "--no-pager", ImageFiles.UnitPath]));

        var match = OverallExposure().Match(report);
        Assert.True(match.Success, $"systemd-analyze printed no overall exposure:\n{report}");
        var exposure = double.Parse(match.Groups["score"].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= MaxExposure, $"systemd-analyze security rates the unit {exposure}, above {MaxExposure}:\n{report}");
    }

    [Fact]
    public void DeviceAllow_OpensTheSoundCardGpioSpiAndTheNvidiaNodesOnly()
    {
        Assert.Equal("closed", ImageFiles.UnitValue("DevicePolicy"));
        var allowed = ImageFiles.UnitValues("DeviceAllow");
        // nvidia-frontend: /dev/nvidia0..N, nvidiactl, nvidia-modeset; nvidia-uvm: nvidia-uvm, nvidia-uvm-tools.
        Assert.Contains("char-nvidia-frontend rw", allowed);
        Assert.Contains("char-nvidia-uvm rw", allowed);
        Assert.Contains("char-alsa rw", allowed);
        Assert.Contains("/dev/gpiochip0 rw", allowed);
        Assert.Contains("/dev/spidev0.0 rw", allowed);
        Assert.DoesNotContain(allowed, a => a.StartsWith("block-", StringComparison.Ordinal) || a.StartsWith("/dev/mem", StringComparison.Ordinal) || a.Length == 0);
        Assert.Empty(ImageFiles.UnitValues("PrivateDevices"));
    }

    [Fact]
    public void Hardening_DropsCapabilitiesNamespacesAndForeignSocketsButKeepsTheJit()
    {
        Assert.Equal("true", ImageFiles.UnitValue("NoNewPrivileges"));
        Assert.Equal(string.Empty, ImageFiles.UnitValue("CapabilityBoundingSet"));
        Assert.Equal("0077", ImageFiles.UnitValue("UMask"));
        Assert.Equal("true", ImageFiles.UnitValue("RestrictNamespaces"));
        Assert.Equal("native", ImageFiles.UnitValue("SystemCallArchitectures"));
        Assert.Equal("@system-service", ImageFiles.UnitValues("SystemCallFilter")[0]);
        Assert.Equal(["AF_INET", "AF_INET6", "AF_NETLINK", "AF_UNIX"], ImageFiles.UnitValue("RestrictAddressFamilies").Split(' ').Order(StringComparer.Ordinal));
        foreach (var key in (string[])["ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups"])
        {
            Assert.Equal("true", ImageFiles.UnitValue(key));
        }

        // The JIT needs writable+executable pages: MemoryDenyWriteExecute=true would kill the runtime at start.
        Assert.DoesNotContain(ImageFiles.UnitValues("MemoryDenyWriteExecute"), v => v is "true" or "yes" or "1");
    }

    [Fact]
    public void ExecStart_RunsTheBinaryWhereTheImagePutsIt()
    {
        var execStart = ImageFiles.UnitValue("ExecStart").Split(' ');
        Assert.Equal(["/opt/stepaudio-edge/stepaudio-edge", "run"], execStart);
        var image = ImageFiles.CmdImage();
        Assert.Contains("cp -a \"$pub/.\" \"$tree/opt/stepaudio-edge/\"", image, StringComparison.Ordinal);
        Assert.Equal("stepaudio-edge", typeof(ApplianceHost).Assembly.GetName().Name);
        Assert.Contains("cp image/stepaudio-edge.service \"$tree/etc/systemd/system/stepaudio-edge.service\"", image, StringComparison.Ordinal);
    }

    [Fact]
    public void SiteConfiguration_LivesOnTheDataPartitionNotInTheSlot()
    {
        var data = ImageFiles.DataMount();
        Assert.Equal("/var/lib/stepaudio-edge", data);
        Assert.StartsWith(data + "/", ApplianceHost.SiteConfigPath, StringComparison.Ordinal);
        // systemd's $STATE_DIRECTORY, where the host looks for the site file, is that same mount.
        Assert.Equal(data, "/var/lib/" + ImageFiles.UnitValue("StateDirectory"));
        Assert.Equal(ApplianceHost.SiteConfigPath, ApplianceHost.SiteConfigPathFor(data));
        Assert.DoesNotContain("site.json", ImageFiles.CmdImage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadCredential_LoadsTheRootOnlyCredentialsDirectoryOnTheDataPartition()
    {
        Assert.Equal($"{SystemdCredentials.UnitCredentialId}:{SystemdCredentials.SourceDirectory}", ImageFiles.UnitValue("LoadCredential"));
        Assert.StartsWith(ImageFiles.DataMount() + "/", SystemdCredentials.SourceDirectory, StringComparison.Ordinal);
        Assert.Empty(ImageFiles.UnitValues("SetCredential"));
        Assert.DoesNotContain(ImageFiles.UnitValues("Environment"), e => e.Contains("Password", StringComparison.OrdinalIgnoreCase) || e.Contains("ApiKey", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void SysusersAndTmpfiles_MakeTheServiceUserAndARootOnlyCredentialsDirectory()
    {
        SeedRoot();
        ExternalTool.Run("systemd-sysusers", [$"--root={_root}"]);
        ExternalTool.Run("systemd-tmpfiles", [$"--root={_root}", "--create"]);

        var user = ImageFiles.UnitValue("User");
        var passwd = File.ReadAllLines(Path.Combine(_root, "etc", "passwd")).Select(l => l.Split(':')).Single(f => f[0] == user);
        Assert.Equal("/var/lib/stepaudio-edge", passwd[5]);
        Assert.EndsWith("nologin", passwd[6], StringComparison.Ordinal);
        var groups = File.ReadAllLines(Path.Combine(_root, "etc", "group")).Select(l => l.Split(':')).ToList();
        Assert.Contains(groups, g => g[0] == ImageFiles.UnitValue("Group"));
        foreach (var group in ImageFiles.UnitValue("SupplementaryGroups").Split(' '))
        {
            Assert.Contains(user, groups.Single(g => g[0] == group)[3].Split(','));
        }

        var state = Path.Combine(_root, "var", "lib", "stepaudio-edge");
        Assert.Equal(uint.Parse(passwd[2], CultureInfo.InvariantCulture), Owner(state));
        var credentials = Path.Combine(_root, SystemdCredentials.SourceDirectory.TrimStart('/'));
        Assert.Equal(0u, Owner(credentials));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(credentials));
    }

    [Fact]
    public void PolkitRule_LetsTheServiceUserRebootAndNothingElse()
    {
        var rule = ImageFiles.Read("image", "polkit", "50-stepaudio-edge.rules");
        var code = string.Join('\n', rule.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        Assert.Equal(
            ["org.freedesktop.login1.reboot", "org.freedesktop.login1.reboot-multiple-sessions"],
            ActionId().Matches(code).Select(m => m.Groups["id"].Value).Order(StringComparer.Ordinal));
        Assert.Equal([ImageFiles.UnitValue("User")], SubjectUser().Matches(code).Select(m => m.Groups["user"].Value));
        Assert.Single(Regex.Matches(code, @"polkit\.Result\.YES"));
        Assert.DoesNotContain("ignore-inhibit", code, StringComparison.Ordinal);
        Assert.DoesNotContain("subject.isInGroup", code, StringComparison.Ordinal);
        Assert.Equal(code.Count(c => c == '('), code.Count(c => c == ')'));
        Assert.Equal(code.Count(c => c == '{'), code.Count(c => c == '}'));
    }

    [Fact]
    public void ImageTree_InstallsTheUserTmpfilesAndPolkitRule()
    {
        var image = ImageFiles.CmdImage();
        Assert.Contains("image/sysusers.d/stepaudio-edge.conf \"$tree/usr/lib/sysusers.d/stepaudio-edge.conf\"", image, StringComparison.Ordinal);
        Assert.Contains("image/tmpfiles.d/stepaudio-edge.conf \"$tree/usr/lib/tmpfiles.d/stepaudio-edge.conf\"", image, StringComparison.Ordinal);
        Assert.Contains("image/polkit/50-stepaudio-edge.rules \"$tree/usr/share/polkit-1/rules.d/50-stepaudio-edge.rules\"", image, StringComparison.Ordinal);
    }

    /// <summary>A bare root: the base system's root user and audio group, and the image's snippets.</summary>
    private void SeedRoot()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.WriteAllText(Path.Combine(_root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(_root, "etc", "group"), "root:x:0:\naudio:x:29:\n");
        foreach (var dir in (string[])["sysusers.d", "tmpfiles.d"])
        {
            Directory.CreateDirectory(Path.Combine(_root, "usr", "lib", dir));
            File.Copy(Path.Combine(ImageFiles.Root, "image", dir, "stepaudio-edge.conf"), Path.Combine(_root, "usr", "lib", dir, "stepaudio-edge.conf"));
        }
    }

    private static uint Owner(string path)
    {
        var fields = Encoding.UTF8.GetString(ExternalTool.Run("stat", ["-c", "%u", path])).Trim();
        return uint.Parse(fields, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Overall exposure level for stepaudio-edge\.service: (?<score>\d+\.\d+)")]
    private static partial Regex OverallExposure();

    [GeneratedRegex(@"action\.id\s*===?\s*""(?<id>[^""]+)""")]
    private static partial Regex ActionId();

    [GeneratedRegex(@"subject\.user\s*===?\s*""(?<user>[^""]+)""")]
    private static partial Regex SubjectUser();
}
