using System.ComponentModel;
using System.Diagnostics;

namespace StepAudio.TestSupport.Broker;

/// <summary>Runs a Debian command-line tool (openssl, mosquitto_passwd) and fails clearly when it is missing or fails.</summary>
public static class ToolRunner
{
    public static void Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"'{fileName}' is not installed: these tests need Debian's mosquitto and openssl (apt-get install -y mosquitto openssl).", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within 30 s.");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
            }
        }
    }
}
