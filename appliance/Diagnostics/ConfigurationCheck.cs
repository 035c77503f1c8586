using Microsoft.Extensions.Configuration;
using StepAudio.Appliance.Hosting;

namespace StepAudio.Appliance.Diagnostics;

/// <summary>Every section validated by the validators the service runs at start.</summary>
public sealed class ConfigurationCheck(IConfiguration configuration) : IDiagnosticCheck
{
    public string Name => "configuration";

    public DiagnosticArea Area => DiagnosticArea.Configuration;

    public Task<DiagnosticResult> RunAsync(CancellationToken cancellationToken)
    {
        var failures = ApplianceOptions.Validate(configuration);
        return Task.FromResult(failures.Count == 0
            ? DiagnosticResult.Pass(this, "valid")
            : DiagnosticResult.Fail(this, string.Join("; ", failures)));
    }
}

/// <summary>A configuration problem found before any check could run: an unreadable file, a value outside the validated sections.</summary>
public sealed class ConfigurationProblemCheck(string name, string reason) : IDiagnosticCheck
{
    public string Name { get; } = name;

    public DiagnosticArea Area => DiagnosticArea.Configuration;

    public Task<DiagnosticResult> RunAsync(CancellationToken cancellationToken) => Task.FromResult(DiagnosticResult.Fail(this, reason));
}
