using Microsoft.Extensions.Configuration;
using StepAudio.Appliance.Hosting;
using StepAudio.Ops.Config;

namespace StepAudio.Appliance.Fleet;

/// <summary>
/// Checks a fleet's desired settings with the validators the service runs at start: the document
/// is laid over the configuration in force, and the first failure names its option path.
/// </summary>
internal sealed class ApplianceConfigValidator(IConfiguration current) : IDesiredConfigValidator
{
    public DesiredConfigValidation Validate(DesiredConfigCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var merged = new ConfigurationBuilder()
            .AddConfiguration(current, shouldDisposeConfiguration: false)
            .AddInMemoryCollection(candidate.Settings)
            .Build();
        var failures = ApplianceOptions.Validate(merged);
        if (failures.Count == 0)
        {
            return DesiredConfigValidation.Valid;
        }

        // Failures read "Section:Member: message"; the path is what precedes the last ": ".
        var first = failures[0];
        var split = first.LastIndexOf(": ", StringComparison.Ordinal);
        return split > 0
            ? DesiredConfigValidation.Invalid(first[..split], first[(split + 2)..])
            : DesiredConfigValidation.Invalid(null, first);
    }
}
