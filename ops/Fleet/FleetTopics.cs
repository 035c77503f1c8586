namespace StepAudio.Ops.Fleet;
/// <summary>Builds the fleet topic tree of DESIGN.md for one device.</summary>
public static class FleetTopics { }
