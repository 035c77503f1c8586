using System.Security.Cryptography;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Cli;

/// <summary>deploy.sh's own behaviour, with its functions sourced (the script runs nothing when it is sourced).</summary>
public sealed class DeployScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("deploy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task MakeDemoClip_WhenRunTwice_MakesTheSameRequest()
    {
        var first = Path.Combine(_dir, "first");
        var second = Path.Combine(_dir, "second");

        var (code, output) = await SourcedAsync($"make_demo_clip '{first}' && make_demo_clip '{second}'");

        Assert.True(code == 0, output);
        Assert.Equal(Hash(Path.Combine(first, "request.wav")), Hash(Path.Combine(second, "request.wav")));
    }

    [Fact]
    public async Task AptRun_WhenAnotherProcessHoldsDpkgsLock_WaitsThenNamesTheHolder()
    {
        Assert.True(Environment.UserName == "root" || !OperatingSystem.IsLinux(), "apt's lock can only be taken as root; the tests run as root here and in CI.");

        // dpkg locks with fcntl; python's lockf takes the same kind of lock and holds it until the script ends.
        var (code, output) = await SourcedAsync(
            """
            python3 -c 'import fcntl, os, sys, time
            f = os.open("/var/lib/dpkg/lock-frontend", os.O_RDWR | os.O_CREAT)
            fcntl.lockf(f, fcntl.LOCK_EX); print("locked", flush=True); time.sleep(20)' > holder.out 2>&1 &
            holder=$!
            trap 'kill -KILL $holder 2>/dev/null' EXIT
            until grep -q locked holder.out 2>/dev/null; do sleep 0.05; done
            APT_SUDO="" APT_LOCK_WAIT_S=1 apt_run install -y --no-install-recommends stepaudio-no-such-package
            """);

        Assert.NotEqual(0, code);
        Assert.Contains("apt's lock is held by process", output, StringComparison.Ordinal);
        Assert.Contains("python3", output, StringComparison.Ordinal);
        Assert.Contains("waited 1 s", output, StringComparison.Ordinal);
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>Runs <paramref name="script"/> after sourcing deploy.sh, back in the scratch folder (deploy.sh moves to the checkout).</summary>
    private async Task<(int Code, string Output)> SourcedAsync(string script)
    {
        var path = Path.Combine(_dir, "script.sh");
        await File.WriteAllTextAsync(path, $"source '{Path.Combine(RepositoryRoot.Path, "deploy.sh")}'\nset +e\ncd '{_dir}'\n{script}\n");
        return await ExternalTool.RunToEndAsync("bash", [path], _dir, TimeSpan.FromMinutes(2));
    }
}
