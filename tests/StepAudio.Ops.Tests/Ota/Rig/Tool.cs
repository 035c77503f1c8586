using System.Diagnostics;

namespace StepAudio.Ops.Tests.Ota.Rig;

/// <summary>Runs a Debian tool (rauc, openssl, mkfs.ext4) and fails with its stderr when it fails.</summary>
internal static class Tool
{
    public static string Run(string file, params string[] arguments) => Run(file, null, arguments);

    public static string Run(string file, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var (code, stdout, stderr) = TryRun(file, environment, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({code}): {stderr}{stdout}");
        }

        return stdout;
    }

    public static (int Code, string Stdout, string Stderr) TryRun(string file, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{file} is not installed; run './deploy.sh setup' (it installs rauc, openssl, squashfs-tools).", ex);
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout, stderr.Result);
        }
    }
}
