namespace StepAudio.Appliance.Diagnostics;

/// <summary>Stands in for a check that cannot be built, e.g. because its configuration section is invalid.</summary>
public sealed class SkippedCheck(string name, DiagnosticArea area, string reason) : IDiagnosticCheck
{
    public string Name { get; } = name;

    public DiagnosticArea Area { get; } = area;

    public Task<DiagnosticResult> RunAsync(CancellationToken cancellationToken) => Task.FromResult(DiagnosticResult.Skip(this, reason));
}
