using System.Diagnostics;

namespace StepAudio.TestSupport;

/// <summary>Runs a Debian command-line tool the tests rely on (espeak-ng, sox), with a clear failure when it is missing.</summary>
public static class ExternalTool
{
    public static byte[] Run(string fileName, IReadOnlyList<string> arguments)
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
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{fileName} is not installed; run './deploy.sh setup' first.", ex);
        }

        using (process)
        {
            using var output = new MemoryStream();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}");
            }

            return output.ToArray();
        }
    }

    /// <summary>
    /// Runs a program to its end and returns its exit code with its stdout and stderr together, for tests that judge a
    /// command by what it says. Past <paramref name="timeout"/> the program and its children are killed and the exit
    /// code is -1.
    /// </summary>
    public static async Task<(int Code, string Output)> RunToEndAsync(
        string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"{fileName} timed out after {timeout}:\n{await output}\n{await error}");
        }

        return (process.ExitCode, $"{await output}\n{await error}");
    }
}
