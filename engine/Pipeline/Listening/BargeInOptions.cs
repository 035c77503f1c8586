using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Engine.Pipeline.Listening;

/// <summary>When the user may talk over a reply (section <c>BargeIn</c>).</summary>
public sealed class BargeInOptions
{
    /// <summary>Speech (after echo cancellation) interrupts a reply. The wake word always does.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>VAD probability a frame heard during playback needs to count as the user's speech.</summary>
    [Range(0.3, 0.99)]
    public float SpeechThreshold { get; set; } = 0.7f;

    /// <summary>
    /// Speech shorter than this is a backchannel ("mm-hm", "right") and does not interrupt; speech
    /// that lasts this long stops the reply and starts a new turn.
    /// </summary>
    [Range(96, 3000)]
    public int BackchannelMs { get; set; } = 640;

    /// <summary>Dips below the threshold this short do not end a stretch of speech (between syllables).</summary>
    [Range(0, 500)]
    public int GapToleranceMs { get; set; } = 96;

    /// <summary>
    /// Speech barge-in is armed once the echo canceller has adapted on this much playback: until its
    /// filter has learned the room the residual of the device's own voice still sounds like speech.
    /// It only matters for the first reply after start (the learned echo path is kept); the wake
    /// word interrupts at any time.
    /// </summary>
    [Range(0, 10_000)]
    public int ConvergenceMs { get; set; } = 1500;

    /// <summary>Audio before the speech began that the new turn starts with.</summary>
    [Range(0, 1000)]
    public int PreRollMs { get; set; } = 200;
}

/// <summary>Attribute checks of <see cref="BargeInOptions"/>.</summary>
[OptionsValidator]
public sealed partial class BargeInOptionsValidator : IValidateOptions<BargeInOptions>;
