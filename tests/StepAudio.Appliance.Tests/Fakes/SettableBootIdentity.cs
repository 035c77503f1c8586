using StepAudio.Ops.Ota;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>A boot id the test chooses: one per simulated boot.</summary>
internal sealed class SettableBootIdentity(string id) : IBootIdentity
{
    public string CurrentBootId { get; set; } = id;
}
