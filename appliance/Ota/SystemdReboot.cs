using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Ota;

namespace StepAudio.Appliance.Ota;

/// <summary>The reboot command failed; the message says which command and what it printed.</summary>
public sealed class RebootFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RebootFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RebootFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RebootFailedException()
        : base("The reboot command failed.")
    {
    }
}

/// <summary>
/// Reboots through systemd: runs <see cref="OtaServiceOptions.RebootCommand"/>
/// (<c>systemctl reboot</c>), which queues the reboot job and returns; systemd then stops the
/// service like any shutdown. A box without systemd names its own command.
/// </summary>
public sealed partial class SystemdReboot : ISystemReboot
{
    private readonly OtaServiceOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the reboot.</summary>
    public SystemdReboot(IOptions<OtaServiceOptions> options, ILogger<SystemdReboot> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task RequestRebootAsync(string reason, CancellationToken cancellationToken)
    {
        var words = _options.RebootCommand.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
        {
            throw new RebootFailedException("Ota:RebootCommand is empty.");
        }

        var start = new ProcessStartInfo(words[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in words.AsSpan(1))
        {
            start.ArgumentList.Add(word);
        }

        Log.Rebooting(_logger, _options.RebootCommand, reason);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new RebootFailedException($"'{_options.RebootCommand}' did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new RebootFailedException($"'{_options.RebootCommand}' could not be started ({ex.Message}); set Ota:RebootCommand for this box.", ex);
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RebootCommandTimeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new RebootFailedException($"'{_options.RebootCommand}' did not return within {_options.RebootCommandTimeout.TotalSeconds:0.#} s.");
            }

            if (process.ExitCode != 0)
            {
                var said = ((await stderr) + (await stdout)).Trim();
                throw new RebootFailedException($"'{_options.RebootCommand}' exited with {process.ExitCode}: {(said.Length > 0 ? said : "no output")}");
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3610, Level = LogLevel.Warning, Message = "Rebooting with '{Command}': {Reason}")]
        public static partial void Rebooting(ILogger logger, string command, string reason);
    }
}
