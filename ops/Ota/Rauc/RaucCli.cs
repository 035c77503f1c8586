using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StepAudio.Ops.Ota.Rauc;

/// <summary>
/// Runs the real <c>rauc</c> command line. <c>info</c> works on its own; <c>install</c>,
/// <c>status</c> and the marks go through <c>rauc service</c> over D-Bus, as on the device.
/// </summary>
public sealed partial class RaucCli : IRaucClient
{
    private readonly RaucCliOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the client.</summary>
    public RaucCli(IOptions<RaucCliOptions> options, ILogger<RaucCli> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<RaucBundleInfo> InfoAsync(string bundlePath, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["info", "--output-format=json", bundlePath], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new RaucBundleRejectedException(bundlePath, result.ExitCode, Reason(result));
        }

        var info = RaucJson.ParseInfo(result.Stdout, bundlePath);

        // The JSON output leaves out the [bundle] section; the readable output carries the format and verity fields.
        var readable = await RunAsync(["info", bundlePath], cancellationToken).ConfigureAwait(false);
        if (readable.ExitCode != 0)
        {
            throw new RaucBundleRejectedException(bundlePath, readable.ExitCode, Reason(readable));
        }

        info = info with { Format = RaucInfoText.Format(readable.Stdout), Verity = RaucInfoText.Verity(readable.Stdout) };
        if (info.Format == "verity")
        {
            var problem = info.Verity is { } verity
                ? VerityPayload.Check(bundlePath, verity)
                : "the manifest says format verity but gives no verity hash, salt and size.";
            if (problem is not null)
            {
                throw new RaucBundleRejectedException(bundlePath, 0, "payload check: " + problem);
            }
        }

        return info;
    }

    /// <inheritdoc />
    public async Task InstallAsync(string bundlePath, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["install", bundlePath], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new RaucCommandException("install " + bundlePath, result.ExitCode, Reason(result));
        }
    }

    /// <inheritdoc />
    public async Task<RaucSystemStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["status", "--detailed", "--output-format=json"], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new RaucCommandException("status", result.ExitCode, Reason(result));
        }

        return RaucJson.ParseStatus(result.Stdout);
    }

    /// <inheritdoc />
    public async Task MarkAsync(RaucMark mark, string slot, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(slot);
        var verb = mark switch
        {
            RaucMark.Good => "mark-good",
            RaucMark.Bad => "mark-bad",
            RaucMark.Active => "mark-active",
            _ => throw new ArgumentOutOfRangeException(nameof(mark), mark, "Unknown mark."),
        };
        var result = await RunAsync(["status", verb, slot], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new RaucCommandException($"status {verb} {slot}", result.ExitCode, Reason(result));
        }
    }

    private async Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_options.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_options.ConfigPath is { } conf)
        {
            start.ArgumentList.Add("--conf=" + conf);
        }

        if (_options.KeyringPath is { } keyring)
        {
            start.ArgumentList.Add("--keyring=" + keyring);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in _options.Environment)
        {
            start.Environment[name] = value;
        }

        Log.Running(_logger, string.Join(' ', start.ArgumentList));
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new RaucCommandException(arguments[0], -1, "the process did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new RaucCommandException($"'{_options.Executable}' could not be started ({ex.Message}); install the Debian package 'rauc'.", ex);
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.CommandTimeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                return new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                throw new RaucCommandException(arguments[0], -1, $"timed out after {_options.CommandTimeout}.");
            }
        }
    }

    /// <summary>RAUC's explanation: its <c>LastError</c> line, else stderr without log chatter.</summary>
    internal static string Reason(ProcessResult result)
    {
        foreach (var line in result.Stdout.Split('\n'))
        {
            if (line.StartsWith("LastError:", StringComparison.Ordinal))
            {
                return line["LastError:".Length..].Trim();
            }
        }

        var reason = new StringBuilder();
        foreach (var raw in result.Stderr.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.Contains("rauc-Message:", StringComparison.Ordinal) || line.StartsWith("(rauc:", StringComparison.Ordinal)
                || line.Contains(":error:", StringComparison.Ordinal) || line.StartsWith("Installing `", StringComparison.Ordinal))
            {
                continue;
            }

            if (reason.Length > 0)
            {
                reason.Append("; ");
            }

            reason.Append(line);
        }

        return reason.Length > 0 ? reason.ToString() : $"no reason given (stderr: {result.Stderr.Trim()})";
    }

    internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

    private static partial class Log
    {
        [LoggerMessage(EventId = 2590, Level = LogLevel.Debug, Message = "rauc {Arguments}")]
        public static partial void Running(ILogger logger, string arguments);
    }
}

/// <summary>Reads the <c>[bundle]</c> lines of rauc's readable <c>info</c> output (RAUC 1.8 prints them only there).</summary>
internal static class RaucInfoText
{
    public static string? Format(string text) => Field(text, "Bundle Format:");

    public static RaucVerityParameters? Verity(string text)
    {
        var hash = Field(text, "Verity Hash:");
        var salt = Field(text, "Verity Salt:");
        var size = Field(text, "Verity Size:");
        if (hash is null || salt is null || size is null || !long.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes))
        {
            return null;
        }

        try
        {
            return new RaucVerityParameters(Convert.FromHexString(hash), Convert.FromHexString(salt), bytes);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? Field(string text, string label)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith(label, StringComparison.Ordinal))
            {
                return line[label.Length..].Trim().Trim('\'');
            }
        }

        return null;
    }
}

/// <summary>Reads rauc's JSON output.</summary>
internal static class RaucJson
{
    public static RaucBundleInfo ParseInfo(string json, string bundlePath)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var images = new Dictionary<string, string>();
            if (root.TryGetProperty("images", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in list.EnumerateArray())
                {
                    foreach (var image in entry.EnumerateObject())
                    {
                        images[image.Name] = image.Value.TryGetProperty("filename", out var f) ? f.GetString() ?? string.Empty : string.Empty;
                    }
                }
            }

            return new RaucBundleInfo(Text(root, "compatible") ?? string.Empty, Text(root, "version") ?? string.Empty, images);
        }
        catch (JsonException ex)
        {
            throw new RaucCommandException($"'rauc info {bundlePath}' printed something that is not JSON: {ex.Message}", ex);
        }
    }

    public static RaucSystemStatus ParseStatus(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var slots = new List<RaucSlot>();
            foreach (var entry in root.GetProperty("slots").EnumerateArray())
            {
                foreach (var slot in entry.EnumerateObject())
                {
                    string? version = null, installStatus = null;
                    if (slot.Value.TryGetProperty("slot_status", out var status) && status.ValueKind == JsonValueKind.Object)
                    {
                        installStatus = Text(status, "status");
                        if (status.TryGetProperty("bundle", out var bundle) && bundle.ValueKind == JsonValueKind.Object)
                        {
                            version = Text(bundle, "version");
                        }
                    }

                    slots.Add(new RaucSlot(slot.Name, Text(slot.Value, "class") ?? string.Empty, Text(slot.Value, "bootname"),
                        Text(slot.Value, "state") ?? string.Empty, Text(slot.Value, "boot_status"), version, installStatus));
                }
            }

            return new RaucSystemStatus(Text(root, "compatible") ?? string.Empty, Text(root, "booted"), Text(root, "boot_primary"), slots);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new RaucCommandException($"'rauc status' printed something unexpected: {ex.Message}", ex);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
