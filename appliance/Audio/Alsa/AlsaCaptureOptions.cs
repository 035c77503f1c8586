using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using StepAudio.Engine.Audio;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>Which microphone to open and how (section <c>Audio:Capture</c>).</summary>
public sealed class AlsaCaptureOptions : IValidatableObject
{
    /// <summary>The ALSA PCM name, as <c>arecord -L</c> lists it (e.g. <c>default</c>, <c>hw:CARD=Array,DEV=0</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    public string Device { get; set; } = "default";

    /// <summary>The rate to ask for; the device may agree to a nearby one, which <see cref="AlsaCapture.Format"/> reports.</summary>
    [Range(8000, 192_000)]
    public int SampleRate { get; set; } = PipelineAudio.SampleRate;

    /// <summary>Channels to capture: the microphones of the array.</summary>
    [Range(1, 32)]
    public int Channels { get; set; } = 1;

    [EnumDataType(typeof(AlsaSampleFormat))]
    public AlsaSampleFormat SampleFormat { get; set; } = AlsaSampleFormat.S16Le;

    /// <summary>Frames per read (the device's period); 256 at 16 kHz is 16 ms.</summary>
    [Range(16, 65_536)]
    public int PeriodFrames { get; set; } = 256;

    /// <summary>Frames the device buffers; the capture thread may stall this long before an overrun.</summary>
    [Range(32, 1_048_576)]
    public int BufferFrames { get; set; } = 2048;

    /// <summary>First wait before reopening a failed device; it doubles per failure.</summary>
    [Range(1, 60_000)]
    public int ReopenInitialDelayMs { get; set; } = 250;

    /// <summary>Longest wait between reopen attempts.</summary>
    [Range(1, 600_000)]
    public int ReopenMaxDelayMs { get; set; } = 10_000;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        PcmOptionRules.Validate(BufferFrames, PeriodFrames, ReopenInitialDelayMs, ReopenMaxDelayMs);
}

/// <summary>The attribute checks and <see cref="AlsaCaptureOptions.Validate"/>, generated.</summary>
[OptionsValidator]
public sealed partial class AlsaCaptureOptionsValidator : IValidateOptions<AlsaCaptureOptions>;
