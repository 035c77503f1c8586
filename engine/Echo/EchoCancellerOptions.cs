using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Engine.Echo;

/// <summary>The acoustic echo canceller's settings (section <c>Echo</c>).</summary>
public sealed class EchoCancellerOptions : IValidatableObject
{
    /// <summary>Cancel the device's own playback from the microphone signal. Off: the loop hears the raw room.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long an echo path the adaptive filter models: the room's reverberation that matters plus
    /// any misalignment of the reference. Longer converges slower and costs more.
    /// </summary>
    [Range(32, 500)]
    public int FilterLengthMs { get; set; } = 200;

    /// <summary>SpeexDSP's frame at 16 kHz; the 512-sample loop frame must be a whole number of them.</summary>
    [Range(64, 512)]
    public int FrameSamples { get; set; } = 256;

    /// <summary>
    /// Time from handing a sample to the playback device until the microphone hears it: the device's
    /// buffer (ALSA delay) plus converters and air. Err short: the adaptive filter absorbs a reference
    /// that leads the echo by up to <see cref="FilterLengthMs"/>, never one that lags it.
    /// </summary>
    [Range(0, 1000)]
    public int PlaybackDelayMs { get; set; }

    /// <summary>Residual echo suppression after the linear filter (SpeexDSP's preprocessor, dB, negative).</summary>
    [Range(-90, 0)]
    public int ResidualEchoSuppressDb { get; set; } = -45;

    /// <summary>Residual echo suppression while the user talks over the reply (dB, negative; milder keeps their voice).</summary>
    [Range(-90, 0)]
    public int ResidualEchoSuppressActiveDb { get; set; } = -15;

    /// <summary>Noise suppression of the preprocessor that carries the residual echo suppression (dB, negative; mild).</summary>
    [Range(-60, 0)]
    public int NoiseSuppressDb { get; set; } = -6;

    /// <summary>
    /// How long after the last non-silent reference sample the device still counts as playing: the
    /// room's echo tail, during which barge-in rules apply.
    /// </summary>
    [Range(0, 2000)]
    public int EchoTailMs { get; set; } = 300;

    /// <inheritdoc />
    /// <remarks>The frame size must divide the listening frame, which attributes cannot say.</remarks>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FrameSamples > 0 && 512 % FrameSamples != 0)
        {
            yield return new ValidationResult("must divide the 512-sample listening frame (64, 128, 256 or 512)", [nameof(FrameSamples)]);
        }
    }
}

/// <summary>The attribute checks and <see cref="EchoCancellerOptions.Validate"/>, generated.</summary>
[OptionsValidator]
public sealed partial class EchoCancellerOptionsValidator : IValidateOptions<EchoCancellerOptions>;
