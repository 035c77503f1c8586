namespace StepAudio.Appliance.Diagnostics;

/// <summary>
/// One self-contained check of the appliance's health (<c>stepaudio-edge diagnose</c>, and the
/// fleet's remote diagnose). A check reports what it found; it does not throw for a failure it
/// was written to detect.
/// </summary>
public interface IDiagnosticCheck
{
    /// <summary>Short, stable name, e.g. <c>capture device</c>.</summary>
    string Name { get; }

    /// <summary>The area a failure is counted under (one bit of diagnose's exit code).</summary>
    DiagnosticArea Area { get; }

    /// <summary>Runs the check once.</summary>
    Task<DiagnosticResult> RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// What a check covers; the values are the bits of <c>diagnose</c>'s exit code. No area is worth 2, so no sum of
/// them is 2 either, and 2 keeps its meaning of every other command: bad usage.
/// </summary>
[Flags]
public enum DiagnosticArea
{
    None = 0,
    Configuration = 1,
    Audio = 4,
    Server = 8,
    Broker = 16,
    Disk = 32,
    Models = 64,
}

/// <summary>How a check came out.</summary>
public enum DiagnosticStatus
{
    /// <summary>It ran and found nothing wrong.</summary>
    Passed,

    /// <summary>It ran and found a problem; its area's bit is set in the exit code.</summary>
    Failed,

    /// <summary>It could not run because something it depends on failed elsewhere (its configuration section).</summary>
    Skipped,
}

/// <summary>The outcome of one check: the line <c>diagnose</c> prints and the object the fleet sends.</summary>
/// <param name="Check">The check's name.</param>
/// <param name="Area">The check's area.</param>
/// <param name="Status">Passed, failed or skipped.</param>
/// <param name="Detail">What was found: the measured value when it passed, the reason when not.</param>
public sealed record DiagnosticResult(string Check, DiagnosticArea Area, DiagnosticStatus Status, string Detail)
{
    /// <summary>How long the check took (stamped by the suite).</summary>
    public TimeSpan Elapsed { get; init; }

    public static DiagnosticResult Pass(IDiagnosticCheck check, string detail) => Of(check, DiagnosticStatus.Passed, detail);

    public static DiagnosticResult Fail(IDiagnosticCheck check, string detail) => Of(check, DiagnosticStatus.Failed, detail);

    public static DiagnosticResult Skip(IDiagnosticCheck check, string detail) => Of(check, DiagnosticStatus.Skipped, detail);

    private static DiagnosticResult Of(IDiagnosticCheck check, DiagnosticStatus status, string detail)
    {
        ArgumentNullException.ThrowIfNull(check);
        return new DiagnosticResult(check.Name, check.Area, status, detail);
    }
}
