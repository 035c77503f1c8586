namespace StepAudio.Appliance.Diagnostics;

/// <summary>
/// Free space on the file system that holds a directory the appliance writes (model cache,
/// state). A directory not created yet is measured where it would be created: its nearest
/// existing parent.
/// </summary>
public sealed class FreeDiskCheck(string label, string directory, long minimumFreeBytes) : IDiagnosticCheck
{
    /// <summary>The default floor: a model update and the logs fit comfortably above it.</summary>
    public const long DefaultMinimumFreeBytes = 200L * 1024 * 1024;

    public string Name => $"disk {label}";

    public DiagnosticArea Area => DiagnosticArea.Disk;

    public Task<DiagnosticResult> RunAsync(CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(directory);
        var existing = full;
        while (!Directory.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing) ?? Path.GetPathRoot(full)!;
        }

        var note = existing == full ? string.Empty : $" (not created yet; measured at {existing})";
        try
        {
            var free = new DriveInfo(existing).AvailableFreeSpace;
            var text = $"{full}: {Mib(free)} free{note}";
            return Task.FromResult(free >= minimumFreeBytes
                ? DiagnosticResult.Pass(this, text)
                : DiagnosticResult.Fail(this, $"{text}, below the {Mib(minimumFreeBytes)} minimum"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Task.FromResult(DiagnosticResult.Fail(this, $"{full}: free space could not be read: {ex.Message}"));
        }
    }

    private static string Mib(long bytes) => $"{bytes / 1048576.0:F0} MiB";
}
