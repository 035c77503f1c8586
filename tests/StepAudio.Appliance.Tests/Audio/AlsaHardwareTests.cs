using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Audio.Alsa;
using StepAudio.Appliance.Tests.Fakes;

namespace StepAudio.Appliance.Tests.Audio;

/// <summary>
/// On a box with a sound card (the HIL rig): the "default" PCM captures and plays through the same code. Set
/// STEPAUDIO_CAPTURE_DEVICE / STEPAUDIO_PLAYBACK_DEVICE to test other PCMs. Skipped by the default test command.
/// </summary>
[Trait("Category", "Hardware")]
[Collection(AlsaTestGroup.Name)]
public sealed class AlsaHardwareTests(AlsaFileDevices devices)
{
    [Fact]
    public async Task Capture_FromTheRealDevice_DeliversASecondOfFramesWithoutOverruns()
    {
        Assert.NotNull(devices);
        var options = new AlsaCaptureOptions { Device = Environment.GetEnvironmentVariable("STEPAUDIO_CAPTURE_DEVICE") ?? "default" };
        var sink = new RecordingSink(options.SampleRate * options.Channels);
        using var capture = new AlsaCapture(options);

        capture.Start(sink);
        await sink.Full.Within();
        capture.Stop();

        Assert.Null(capture.Fault);
        Assert.Equal(0, capture.Xruns);
    }

    [Fact]
    public async Task Playback_ToTheRealDevice_PlaysAToneAndDrains()
    {
        var options = new AlsaPlaybackOptions { Device = Environment.GetEnvironmentVariable("STEPAUDIO_PLAYBACK_DEVICE") ?? "default", Volume = 0.3f };
        using var playback = new AlsaPlayback(options);
        var opened = new TaskCompletionSource<AudioStreamFormat>(TaskCreationOptions.RunContinuationsAsynchronously);
        playback.Opened += (_, format) => opened.TrySetResult(format);

        playback.Start();
        await playback.WriteAsync(TestSignals.Tones(options.InputSampleRate / 2, 1, options.InputSampleRate), CancellationToken.None).AsTask().Within();
        await playback.CompleteReplyAsync(CancellationToken.None).AsTask().Within();

        Assert.True((await opened.Task.Within()).SampleRate > 0);
        Assert.Null(playback.Fault);
    }
}
