using System.Diagnostics.CodeAnalysis;

namespace StepAudio.Appliance.Audio;

/// <summary>Receives captured audio on the capture thread. Copy what you need and return quickly: the device keeps running.</summary>
public interface IAudioFrameSink
{
    /// <summary>One period of interleaved float frames (full scale +-1); the span is only valid during the call.</summary>
    void OnFrames(ReadOnlySpan<float> interleaved, int channels);
}

/// <summary>A microphone (array): delivers interleaved multi-channel frames to a sink from its own thread.</summary>
public interface IAudioCapture : IDisposable
{
    /// <summary>The parameters the device negotiated, or null while it is not open.</summary>
    AudioStreamFormat? Format { get; }

    /// <summary>The device's current failure, or null while it delivers.</summary>
    AudioDeviceFault? Fault { get; }

    /// <summary>Overruns (and suspends) recovered since the capture started.</summary>
    long Xruns { get; }

    /// <summary>Raised on the capture thread when the device fails or recovers.</summary>
    event EventHandler<AudioDeviceFaultEventArgs>? FaultChanged;

    /// <summary>Raised on the capture thread each time the device is (re)opened, with the parameters it agreed to.</summary>
    event EventHandler<AudioStreamFormat>? Opened;

    /// <summary>Opens the device and starts delivering to <paramref name="sink"/>; a device that cannot open yet is retried.</summary>
    void Start(IAudioFrameSink sink);

    /// <summary>Stops delivering and closes the device; returns once the capture thread has ended.</summary>
    [SuppressMessage("Naming", "CA1716", Justification = "The appliance is a C# executable; no Visual Basic code implements this.")]
    void Stop();
}
