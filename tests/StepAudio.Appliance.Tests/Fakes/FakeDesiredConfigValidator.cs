using StepAudio.Ops.Config;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>Stands in for the appliance's options validators: <c>Audio:Volume</c> must be an integer 0..100.</summary>
internal sealed class FakeDesiredConfigValidator : IDesiredConfigValidator
{
    public DesiredConfigValidation Validate(DesiredConfigCandidate candidate)
    {
        if (candidate.Settings.TryGetValue("Audio:Volume", out var volume) && (!int.TryParse(volume, out var level) || level is < 0 or > 100))
        {
            return DesiredConfigValidation.Invalid("Audio:Volume", $"Volume must be an integer from 0 to 100, got '{volume}'.");
        }

        return DesiredConfigValidation.Valid;
    }
}
