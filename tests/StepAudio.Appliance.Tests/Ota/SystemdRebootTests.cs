using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Ota;

namespace StepAudio.Appliance.Tests.Ota;

/// <summary>The reboot runs the configured command (a recording script stands in for systemctl).</summary>
public sealed class SystemdRebootTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-reboot-{Guid.NewGuid():N}");

    public SystemdRebootTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task RequestReboot_RunsTheConfiguredCommandWithItsArguments()
    {
        var script = Script("echo \"$@\" > \"" + Path.Combine(_dir, "asked") + "\"");

        await Reboot($"{script} reboot --no-wall").RequestRebootAsync("OTA job-1: boot 1.1.0 in rootfs.1", CancellationToken.None);

        Assert.Equal("reboot --no-wall", File.ReadAllText(Path.Combine(_dir, "asked")).Trim());
    }

    [Fact]
    public async Task RequestReboot_WhenTheCommandFails_ThrowsWithItsExitCodeAndOutput()
    {
        var script = Script("echo 'Access denied' >&2; exit 4");

        var error = await Assert.ThrowsAsync<RebootFailedException>(() => Reboot(script).RequestRebootAsync("test", CancellationToken.None));

        Assert.Contains("exited with 4: Access denied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestReboot_WhenTheCommandIsNotInstalled_SaysWhichSettingToChange()
    {
        var error = await Assert.ThrowsAsync<RebootFailedException>(() => Reboot(Path.Combine(_dir, "no-such-systemctl") + " reboot").RequestRebootAsync("test", CancellationToken.None));

        Assert.Contains("could not be started", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ota:RebootCommand", error.Message, StringComparison.Ordinal);
    }

    private static SystemdReboot Reboot(string command) =>
        new(Options.Create(new OtaServiceOptions { RebootCommand = command }), NullLogger<SystemdReboot>.Instance);

    private string Script(string body)
    {
        var path = Path.Combine(_dir, $"reboot-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
