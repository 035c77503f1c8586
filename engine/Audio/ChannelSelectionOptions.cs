using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Engine.Audio;

/// <summary>A microphone's place in the array's frame, in metres (x front, y left, z up).</summary>
public sealed class MicrophonePosition
{
    public float X { get; set; }

    public float Y { get; set; }

    public float Z { get; set; }
}

/// <summary>Which channel(s) of the microphone array the pipeline hears (section <c>Audio:ChannelSelection</c>).</summary>
public sealed class ChannelSelectionOptions : IValidatableObject
{
    [EnumDataType(typeof(ChannelSelectionMode))]
    public ChannelSelectionMode Mode { get; set; } = ChannelSelectionMode.Mix;

    /// <summary>The zero-based channel for <see cref="ChannelSelectionMode.Channel"/>.</summary>
    [Range(0, 31)]
    public int Channel { get; set; }

    /// <summary>The zero-based channels averaged for <see cref="ChannelSelectionMode.Channels"/>.</summary>
    public List<int> SelectedChannels { get; set; } = [];

    /// <summary>One position per channel, in channel order, for <see cref="ChannelSelectionMode.Beam"/>.</summary>
    public List<MicrophonePosition> MicrophonePositions { get; set; } = [];

    /// <summary>Beam direction in the horizontal plane, degrees counter-clockwise from the array's front.</summary>
    [Range(-360.0, 360.0)]
    public float AzimuthDegrees { get; set; }

    [Range(-90.0, 90.0)]
    public float ElevationDegrees { get; set; }

    /// <summary>Metres per second; 343 at 20 degrees C.</summary>
    [Range(300.0, 400.0)]
    public float SpeedOfSound { get; set; } = 343f;

    /// <inheritdoc />
    /// <remarks>What each mode needs: channels to mix, or a position for every microphone.</remarks>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode == ChannelSelectionMode.Channels && SelectedChannels.Count == 0)
        {
            yield return new ValidationResult("must list at least one channel when Mode is Channels", [nameof(SelectedChannels)]);
        }

        if (Mode == ChannelSelectionMode.Beam && MicrophonePositions.Count < 2)
        {
            yield return new ValidationResult("must give a position for every microphone (at least two) when Mode is Beam", [nameof(MicrophonePositions)]);
        }
    }
}

/// <summary>The attribute checks and <see cref="ChannelSelectionOptions.Validate"/>, generated.</summary>
[OptionsValidator]
public sealed partial class ChannelSelectionOptionsValidator : IValidateOptions<ChannelSelectionOptions>;
