using Microsoft.Extensions.Configuration;
using StepAudio.Appliance.Hosting;
using StepAudio.Ops.Config;

namespace StepAudio.Appliance.Fleet;

/// <summary>
/// Checks a fleet's desired settings: every key must be a setting the service reads and one a fleet may set
/// (<see cref="FleetSettableSettings"/>); then the document, laid over the configuration in force, must pass the
/// validators the service runs at start. The first failure names its option path; nothing of a refused document is applied.
/// </summary>
internal sealed class ApplianceConfigValidator(IConfiguration current) : IDesiredConfigValidator
{
    public DesiredConfigValidation Validate(DesiredConfigCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);

        // In a stable order, so the same document is always refused for the same key.
        foreach (var key in candidate.Settings.Keys.Order(StringComparer.OrdinalIgnoreCase))
        {
            if (!SettingsCatalog.Appliance.IsKnown(key))
            {
                return DesiredConfigValidation.Invalid(
                    key, $"{key} is not a setting of this device.", DesiredConfigRejectionCodes.UnknownSetting);
            }

            if (!FleetSettableSettings.IsSettable(key, out var reason))
            {
                return DesiredConfigValidation.Invalid(
                    key,
                    $"{key} cannot be set over the fleet link: {reason}. The settable ones are listed under \"settable\" in config/reported.",
                    DesiredConfigRejectionCodes.NotFleetSettable);
            }
        }

        var merged = new ConfigurationBuilder()
            .AddConfiguration(current, shouldDisposeConfiguration: false)
            .AddInMemoryCollection(candidate.Settings)
            .Build();
        var failures = ApplianceOptions.Validate(merged);
        if (failures.Count == 0)
        {
            return DesiredConfigValidation.Valid;
        }

        // Failures read "Section:Member: message"; a path has no spaces, so it ends at the first ": ".
        var first = failures[0];
        var split = first.IndexOf(": ", StringComparison.Ordinal);
        return split > 0
            ? DesiredConfigValidation.Invalid(first[..split], first[(split + 2)..])
            : DesiredConfigValidation.Invalid(null, first);
    }
}
