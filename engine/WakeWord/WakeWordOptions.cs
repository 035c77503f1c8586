using System.ComponentModel.DataAnnotations;

namespace StepAudio.Engine.WakeWord;

/// <summary>The wake word stage's settings.</summary>
public sealed class WakeWordOptions
{
    /// <summary>Score a head must reach to wake the device.</summary>
    [Range(0.05, 0.999)]
    public float Threshold { get; set; } = 0.5f;

    /// <summary>After a wake, further wakes are ignored for this long (one phrase scores over several 80 ms chunks).</summary>
    [Range(0, 60_000)]
    public int RefractoryMs { get; set; } = 2000;

    /// <summary>Audio before the detection point that the turn starts with, so words said right after the wake phrase are kept.</summary>
    [Range(0, 2000)]
    public int PreRollMs { get; set; } = 300;

    /// <summary>Pinned head models (by lock name) to load, e.g. <c>oww-hey-jarvis</c>.</summary>
    public List<string> Heads { get; set; } = ["oww-hey-jarvis"];

    /// <summary>Custom head files (openWakeWord format: [1,16,96] in, [1,1] out) loaded from disk, unverified by the lock.</summary>
    public List<string> CustomHeadPaths { get; set; } = [];
}
