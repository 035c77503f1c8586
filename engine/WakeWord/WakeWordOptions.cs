using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// VAD probability that opens the wake word's embedding stage (most of its cost); 0 keeps it
    /// always open. Scores are unchanged by the gate: skipped windows are computed when it opens.
    /// </summary>
    [Range(0.0, 0.9)]
    public float VoiceGateThreshold { get; set; } = 0.1f;

    /// <summary>How long the gate stays open after the last frame above the threshold (covers the phrase's end, where scores peak).</summary>
    [Range(0, 10_000)]
    public int VoiceGateHoldMs { get; set; } = 1500;

    /// <summary>Pinned head models (by lock name) to load, e.g. <c>oww-hey-jarvis</c>.</summary>
    public List<string> Heads { get; set; } = ["oww-hey-jarvis"];

    /// <summary>Custom head files (openWakeWord format: [1,16,96] in, [1,1] out) loaded from disk, unverified by the lock.</summary>
    public List<string> CustomHeadPaths { get; set; } = [];
}

/// <summary>The attribute checks of <see cref="WakeWordOptions"/>, generated.</summary>
[OptionsValidator]
public sealed partial class WakeWordOptionsValidator : IValidateOptions<WakeWordOptions>;
