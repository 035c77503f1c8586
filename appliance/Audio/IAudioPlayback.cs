using StepAudio.Engine.Pipeline;

namespace StepAudio.Appliance.Audio;

/// <summary>
/// A speaker: an <see cref="IAudioOutput"/> with a live volume and a barge-in stop
/// (<see cref="IInterruptibleOutput.StopAsync"/>: fades out and silences the device within about one period and discards what is queued).
/// </summary>
public interface IAudioPlayback : IAudioOutput, IInterruptibleOutput, IDisposable
{
    /// <summary>Software gain, 0 to 1, applied with a short ramp so changes do not click.</summary>
    float Volume { get; set; }

    /// <summary>The parameters the device negotiated, or null while it is not open.</summary>
    AudioStreamFormat? Format { get; }

    /// <summary>The device's current failure, or null while it plays.</summary>
    AudioDeviceFault? Fault { get; }

    /// <summary>Underruns (and suspends) recovered since playback started.</summary>
    long Xruns { get; }
}
