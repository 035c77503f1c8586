using StepAudio.Appliance.Audio.Alsa;

namespace StepAudio.Appliance.Diagnostics;

/// <summary>
/// Opens the configured ALSA device with the configured parameters, as the service would, reports
/// what it agreed to and closes it again. Run it while the service is stopped: a hardware PCM
/// that the service holds open is busy.
/// </summary>
public sealed class AudioDeviceCheck : IDiagnosticCheck
{
    private readonly PcmRequest _request;
    private readonly IPcmOpener _opener;

    internal AudioDeviceCheck(string name, PcmRequest request, IPcmOpener opener)
    {
        Name = name;
        _request = request;
        _opener = opener;
    }

    public string Name { get; }

    public DiagnosticArea Area => DiagnosticArea.Audio;

    /// <summary>The microphone, section <c>Audio:Capture</c>.</summary>
    public static AudioDeviceCheck Capture(AlsaCaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AudioDeviceCheck(
            "capture device",
            new PcmRequest(options.Device, PcmDirection.Capture, options.SampleFormat, options.SampleRate, options.Channels, options.PeriodFrames, options.BufferFrames),
            AlsaPcmOpener.Instance);
    }

    /// <summary>The speaker, section <c>Audio:Playback</c>.</summary>
    public static AudioDeviceCheck Playback(AlsaPlaybackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AudioDeviceCheck(
            "playback device",
            new PcmRequest(options.Device, PcmDirection.Playback, options.SampleFormat, options.SampleRate, options.Channels, options.PeriodFrames, options.BufferFrames),
            AlsaPcmOpener.Instance);
    }

    public Task<DiagnosticResult> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var device = _opener.Open(_request);
            return Task.FromResult(DiagnosticResult.Pass(this, $"opens: {device.Format}"));
        }
        catch (AlsaException ex)
        {
            return Task.FromResult(DiagnosticResult.Fail(this, ex.Message));
        }
        catch (DllNotFoundException)
        {
            return Task.FromResult(DiagnosticResult.Fail(this, AlsaLibrary.MissingMessage));
        }
    }
}
