using StepAudio.Ops.Config;

namespace StepAudio.Ops.Tests.Fakes;

/// <summary>
/// Stands in for the appliance's options validators with rules of the same shape: <c>Audio:Volume</c> must be an
/// integer 0..100, <c>Audio:Device</c> must not be empty; it can also be told to throw.
/// </summary>
internal sealed class FakeDesiredConfigValidator : IDesiredConfigValidator
{
    public int Calls { get; private set; }

    public bool Throw { get; set; }

    public DesiredConfigValidation Validate(DesiredConfigCandidate candidate)
    {
        Calls++;
        if (Throw)
        {
            throw new InvalidOperationException("validator exploded");
        }

        if (candidate.Settings.TryGetValue("Audio:Volume", out var volume)
            && (!int.TryParse(volume, out var level) || level is < 0 or > 100))
        {
            return DesiredConfigValidation.Invalid("Audio:Volume", $"Volume must be an integer from 0 to 100, got '{volume}'.");
        }

        if (candidate.Settings.TryGetValue("Audio:Device", out var device) && string.IsNullOrWhiteSpace(device))
        {
            return DesiredConfigValidation.Invalid("Audio:Device", "Device must not be empty.");
        }

        return DesiredConfigValidation.Valid;
    }
}
