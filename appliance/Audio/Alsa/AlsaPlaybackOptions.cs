using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>Which speaker to open and how (section <c>Audio:Playback</c>).</summary>
public sealed class AlsaPlaybackOptions : IValidatableObject
{
    /// <summary>The ALSA PCM name, as <c>aplay -L</c> lists it.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Device { get; set; } = "default";

    /// <summary>The device rate to ask for; the audio is resampled to whatever the device agrees to.</summary>
    [Range(8000, 192_000)]
    public int SampleRate { get; set; } = 48_000;

    /// <summary>Device channels; the mono reply is copied to each.</summary>
    [Range(1, 32)]
    public int Channels { get; set; } = 2;

    [EnumDataType(typeof(AlsaSampleFormat))]
    public AlsaSampleFormat SampleFormat { get; set; } = AlsaSampleFormat.S16Le;

    /// <summary>Frames per write; a barge-in stop takes effect within about one period.</summary>
    [Range(16, 65_536)]
    public int PeriodFrames { get; set; } = 1024;

    [Range(32, 1_048_576)]
    public int BufferFrames { get; set; } = 4096;

    /// <summary>The rate of the audio handed in (the vocoder's: HiFT runs at 22050 Hz).</summary>
    [Range(8000, 192_000)]
    public int InputSampleRate { get; set; } = 22_050;

    /// <summary>Audio queued ahead of the device before <c>WriteAsync</c> waits.</summary>
    [Range(50, 60_000)]
    public int QueueMs { get; set; } = 2000;

    /// <summary>Starting software gain, 0 to 1.</summary>
    [Range(0.0, 1.0)]
    public float Volume { get; set; } = 1f;

    /// <summary>Time a full-scale volume change takes; short enough to feel instant, long enough not to click.</summary>
    [Range(1, 1000)]
    public int VolumeRampMs { get; set; } = 20;

    /// <summary>Fade applied when playback is stopped (capped at one period).</summary>
    [Range(1, 200)]
    public int StopFadeMs { get; set; } = 8;

    [Range(1, 60_000)]
    public int ReopenInitialDelayMs { get; set; } = 250;

    [Range(1, 600_000)]
    public int ReopenMaxDelayMs { get; set; } = 10_000;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        PcmOptionRules.Validate(BufferFrames, PeriodFrames, ReopenInitialDelayMs, ReopenMaxDelayMs);
}

/// <summary>The attribute checks and <see cref="AlsaPlaybackOptions.Validate"/>, generated.</summary>
[OptionsValidator]
public sealed partial class AlsaPlaybackOptionsValidator : IValidateOptions<AlsaPlaybackOptions>;
