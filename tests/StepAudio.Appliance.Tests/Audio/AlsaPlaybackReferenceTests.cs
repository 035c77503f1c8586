using StepAudio.Appliance.Audio.Alsa;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Echo;

namespace StepAudio.Appliance.Tests.Audio;

/// <summary>The echo canceller's reference is what the device was actually given: after gain, at 16 kHz, in order.</summary>
[Collection(AlsaTestGroup.Name)]
public sealed class AlsaPlaybackReferenceTests(AlsaFileDevices devices)
{
    private const int InputRate = 22_050;

    [Theory]
    [InlineData(48_000, 2)]
    [InlineData(16_000, 1)]
    public async Task CompleteReplyAsync_WithAReference_TheReferenceHoldsWhatTheDevicePlayedAt16kHz(int deviceRate, int channels)
    {
        var input = TestSignals.Tones(InputRate / 2, 1, InputRate, amplitude: 0.8f);
        var file = devices.NewPath("reference.raw");
        var reference = new PlaybackReference(delaySamples: 0, tailSamples: 0);
        var options = new AlsaPlaybackOptions
        {
            Device = AlsaFileDevices.PlaybackDevice(file),
            SampleFormat = AlsaSampleFormat.FloatLe,
            SampleRate = deviceRate,
            Channels = channels,
            PeriodFrames = 256,
            BufferFrames = 1024,
            InputSampleRate = InputRate,
            Volume = 0.5f,
            ReopenInitialDelayMs = 5,
            ReopenMaxDelayMs = 40,
        };

        using (var playback = new AlsaPlayback(options, reference: reference))
        {
            playback.Start();
            await playback.WriteAsync(input, CancellationToken.None).AsTask().Within();
            await playback.CompleteReplyAsync(CancellationToken.None).AsTask().Within();
        }

        var played = TestSignals.FromRaw(await File.ReadAllBytesAsync(file), AlsaSampleFormat.FloatLe);
        var firstChannel = new float[played.Length / channels];
        for (var i = 0; i < firstChannel.Length; i++)
        {
            firstChannel[i] = played[i * channels];
        }

        var expected = To16k(firstChannel, deviceRate);
        var heard = new float[reference.WritePosition];
        reference.Read(heard);

        Assert.InRange(heard.Length, expected.Length - 2, expected.Length + 2);
        var compared = Math.Min(heard.Length, expected.Length);
        for (var i = 0; i < compared; i++)
        {
            Assert.True(Math.Abs(heard[i] - expected[i]) < 1e-4, $"sample {i}: reference {heard[i]}, device {expected[i]}");
        }

        Assert.True(heard.Max(MathF.Abs) is > 0.3f and < 0.45f, "the volume (0.5 of 0.8) is applied before the tap");
    }

    private static float[] To16k(float[] samples, int rate)
    {
        if (rate == 16_000)
        {
            return samples;
        }

        var resampler = new PolyphaseResampler(rate, 16_000);
        var output = new float[resampler.MaxOutputFor(samples.Length) + resampler.MaxFlushOutput];
        var count = resampler.Process(samples, output);
        count += resampler.Flush(output.AsSpan(count));
        return output[..count];
    }
}
