using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Audio.Alsa;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.Engine.Audio;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Appliance.Tests.Audio;

[Collection(AlsaTestGroup.Name)]
public sealed class AlsaPlaybackTests(AlsaFileDevices devices)
{
    private const int InputRate = 22_050;

    [Theory]
    [InlineData(AlsaSampleFormat.S16Le, 48_000, 2)]
    [InlineData(AlsaSampleFormat.S32Le, 44_100, 2)]
    [InlineData(AlsaSampleFormat.FloatLe, 16_000, 1)]
    public async Task CompleteReplyAsync_AfterWrites_TheFileHoldsTheInputResampledWithTheGainOnEveryChannel(
        AlsaSampleFormat format, int deviceRate, int channels)
    {
        var input = TestSignals.Tones(InputRate * 2 / 5, 1, InputRate, amplitude: 0.8f);
        var file = devices.NewPath("out.raw");
        var options = Options(file, format, deviceRate, channels);
        options.Volume = 0.5f;
        options.QueueMs = 50; // smaller than the reply: the writer has to wait for room

        using (var playback = new AlsaPlayback(options))
        {
            playback.Start();
            for (var offset = 0; offset < input.Length; offset += 1000)
            {
                await playback.WriteAsync(input.AsMemory(offset, Math.Min(1000, input.Length - offset)), CancellationToken.None).AsTask().Within();
            }

            await playback.CompleteReplyAsync(CancellationToken.None).AsTask().Within();
            Assert.Equal(deviceRate, playback.Format!.SampleRate);
            Assert.Equal(0, playback.Xruns);
        }

        var expected = Spread(Scale(Resample(input, deviceRate), 0.5f), channels);
        var written = TestSignals.FromRaw(await File.ReadAllBytesAsync(file), format);
        Assert.Equal(TestSignals.FromRaw(TestSignals.ToRaw(expected, format), format), written);
    }

    [Fact]
    public async Task Volume_WhenLoweredDuringAReply_RampsPerSampleOverTheRampTime()
    {
        const int period = 256;
        var input = new float[8192];
        Array.Fill(input, 0.5f);
        var file = devices.NewPath("ramp.raw");
        using var gate = new WriteGate(writesBeforeHold: 4);
        var opener = new FaultInjectingPcmOpener(AlsaPcmOpener.Instance) { Gate = gate };
        var options = Options(file, AlsaSampleFormat.FloatLe, InputRate, 1, period);
        options.VolumeRampMs = 20;

        using (var playback = new AlsaPlayback(options, opener, null, null, TimeProvider.System))
        {
            playback.Start();
            await playback.WriteAsync(input, CancellationToken.None).AsTask().Within();
            await gate.Held.Within();
            playback.Volume = 0.2f; // the held write is the 5th period, rendered at full volume
            gate.Open();
            await playback.CompleteReplyAsync(CancellationToken.None).AsTask().Within();
        }

        var ungained = Resample(input, InputRate);
        var written = TestSignals.FromRaw(await File.ReadAllBytesAsync(file), AlsaSampleFormat.FloatLe);
        Assert.Equal(ungained.Length, written.Length);

        // 20 ms for full scale at 22050 Hz is 441 samples, so 1 -> 0.2 takes 0.8 x 441 = 352.8 samples.
        var step = 1f / 441;
        var rampStart = 5 * period;
        for (var i = 0; i < written.Length; i++)
        {
            var gain = i < rampStart ? 1f : Math.Max(0.2f, 1f - ((i - rampStart + 1) * step));
            Assert.True(Math.Abs(written[i] - (ungained[i] * gain)) < 1e-5f, $"sample {i}: {written[i]} is not {ungained[i]} x {gain}");
        }
    }

    [Theory]
    [InlineData(true, 0)] // the file plugin gives back everything it holds: the fade starts where the device was
    [InlineData(false, 4 * 480)] // nothing given back: the fade continues after the four periods already written
    public async Task StopAsync_DuringAReply_EndsWithAFadeOfTheAudioThatFollowsAndTheNextReplyPlays(bool rewind, int expectedKept)
    {
        const int deviceRate = 48_000;
        const int period = 480;
        const int fade = 240; // 5 ms
        var reply = TestSignals.Tones(InputRate, 1, InputRate, amplitude: 0.5f);
        var next = TestSignals.Tones(2205, 1, InputRate, amplitude: 0.3f);
        var file = devices.NewPath("stop.raw");
        using var gate = new WriteGate(writesBeforeHold: 3);
        var opener = new FaultInjectingPcmOpener(AlsaPcmOpener.Instance) { Gate = gate, RewindDisabled = !rewind };
        var options = Options(file, AlsaSampleFormat.FloatLe, deviceRate, 1, period, buffer: 4 * period);
        options.StopFadeMs = 5;
        options.QueueMs = 2000;
        int beforeNext;

        using (var playback = new AlsaPlayback(options, opener, null, null, TimeProvider.System))
        {
            playback.Start();
            await playback.WriteAsync(reply, CancellationToken.None).AsTask().Within();
            await gate.Held.Within();
            var stopped = playback.StopAsync();
            gate.Open();
            await stopped.Within();
            beforeNext = (int)(new FileInfo(file).Length / sizeof(float));

            await playback.WriteAsync(next, CancellationToken.None).AsTask().Within();
            await playback.CompleteReplyAsync(CancellationToken.None).AsTask().Within();
        }

        var written = TestSignals.FromRaw(await File.ReadAllBytesAsync(file), AlsaSampleFormat.FloatLe);
        var expected = Resample(reply, deviceRate);
        var kept = beforeNext - fade;

        // Four periods went to the device before the stop; what it keeps of them plays, then the fade, then nothing.
        Assert.Equal(expectedKept, kept);
        Assert.Equal(expected[..kept], written[..kept]);
        for (var i = 0; i < fade; i++)
        {
            var level = 1f - ((i + 1) / (float)fade);
            Assert.True(Math.Abs(written[kept + i] - (expected[kept + i] * level)) < 1e-6f, $"fade sample {i}");
        }

        Assert.Equal(0f, written[beforeNext - 1]);
        Assert.Equal(Resample(next, deviceRate), written[beforeNext..]);
    }

    [Fact]
    public async Task Write_WhenTheDeviceUnderruns_RecoversThroughLibasoundCountsTheXrunAndLosesNothing()
    {
        var input = TestSignals.Tones(4410, 1, InputRate);
        var file = devices.NewPath("xrun.raw");
        using var meters = new TestMeterFactory();
        using var metrics = new AudioMetrics(meters);
        var opener = new FaultInjectingPcmOpener(AlsaPcmOpener.Instance) { WriteFault = (_, write) => write == 2 ? -AlsaErrno.EPIPE : 0 };

        using (var playback = new AlsaPlayback(Options(file, AlsaSampleFormat.FloatLe, InputRate, 1), opener, null, metrics, TimeProvider.System))
        {
            playback.Start();
            await playback.WriteAsync(input, CancellationToken.None).AsTask().Within();
            await playback.CompleteReplyAsync(CancellationToken.None).AsTask().Within();
            Assert.Equal(1, playback.Xruns);
        }

        Assert.Equal(1, meters.Total("stepaudio.audio.xruns"));
        Assert.Equal(Resample(input, InputRate), TestSignals.FromRaw(await File.ReadAllBytesAsync(file), AlsaSampleFormat.FloatLe));
    }

    [Fact]
    public async Task Write_WhenTheDeviceVanishes_ReportsTheFaultKeepsRepliesMovingAndPlaysAgainAfterTheReopen()
    {
        var lost = TestSignals.Tones(8820, 1, InputRate);
        var after = TestSignals.Tones(2205, 1, InputRate, amplitude: 0.3f);
        var file = devices.NewPath("gone.raw");
        var opener = new FaultInjectingPcmOpener(AlsaPcmOpener.Instance) { WriteFault = (open, write) => open == 1 && write == 3 ? -AlsaErrno.ENODEV : 0 };
        opener.FailNextOpens(); // the first open succeeds
        var faults = new List<AudioDeviceFault?>();
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using (var playback = new AlsaPlayback(Options(file, AlsaSampleFormat.FloatLe, InputRate, 1), opener, null, null, TimeProvider.System))
        {
            playback.FaultChanged += (_, e) =>
            {
                lock (faults)
                {
                    faults.Add(e.Fault);
                }

                if (e.Fault is { Attempts: 1 })
                {
                    // The device is still gone at the first reopen.
                    opener.FailNextOpens(-AlsaErrno.ENODEV);
                }
                else if (e.Fault is null)
                {
                    recovered.TrySetResult();
                }
            };
            playback.Start();
            await playback.WriteAsync(lost, CancellationToken.None).AsTask().Within();
            await playback.CompleteReplyAsync(CancellationToken.None).AsTask().Within();
            await recovered.Task.Within();

            await playback.WriteAsync(after, CancellationToken.None).AsTask().Within();
            await playback.CompleteReplyAsync(CancellationToken.None).AsTask().Within();
        }

        lock (faults)
        {
            Assert.Equal(3, faults.Count);
            Assert.Equal(-AlsaErrno.ENODEV, faults[0]!.ErrorCode);
            Assert.Contains("writing failed", faults[0]!.Message, StringComparison.Ordinal);
            Assert.Equal(2, faults[1]!.Attempts);
            Assert.Equal(faults[0]!.NextAttemptIn * 2, faults[1]!.NextAttemptIn);
            Assert.Null(faults[2]);
        }

        // The file plugin truncates its file when the device is opened again: it holds what played after the reopen.
        Assert.Equal(2, opener.Opens);
        Assert.Equal(Resample(after, InputRate), TestSignals.FromRaw(await File.ReadAllBytesAsync(file), AlsaSampleFormat.FloatLe));
    }

    [Fact]
    public async Task WriteAsync_BeforeStart_ThrowsSayingSo()
    {
        using var playback = new AlsaPlayback(Options(devices.NewPath("never.raw"), AlsaSampleFormat.S16Le, 48_000, 2));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => playback.WriteAsync(new float[16], CancellationToken.None).AsTask());

        Assert.Contains("Start", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void Volume_WhenOutsideZeroToOne_Throws(float volume)
    {
        using var playback = new AlsaPlayback(Options(devices.NewPath("never.raw"), AlsaSampleFormat.S16Le, 48_000, 2));

        Assert.Throws<ArgumentOutOfRangeException>(() => playback.Volume = volume);
    }

    [Fact]
    public void Validate_WhenReopenDelaysAreInverted_FailsNamingTheField()
    {
        var options = new AlsaPlaybackOptions { ReopenInitialDelayMs = 1000, ReopenMaxDelayMs = 10 };

        var result = new AlsaPlaybackOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("ReopenMaxDelayMs", result.FailureMessage, StringComparison.Ordinal);
    }

    /// <summary>What the device should get: the streaming resampler's output, lead-in and tail included.</summary>
    private static float[] Resample(float[] input, int deviceRate)
    {
        var resampler = new PolyphaseResampler(InputRate, deviceRate);
        var output = new float[resampler.MaxOutputFor(input.Length) + resampler.MaxFlushOutput];
        var count = resampler.Process(input, output);
        count += resampler.Flush(output.AsSpan(count));
        return output[..count];
    }

    private static float[] Scale(float[] samples, float gain) => [.. samples.Select(s => s * gain)];

    private static float[] Spread(float[] mono, int channels) => [.. mono.SelectMany(s => Enumerable.Repeat(s, channels))];

    private static AlsaPlaybackOptions Options(string file, AlsaSampleFormat format, int rate, int channels, int period = 256, int? buffer = null) => new()
    {
        Device = AlsaFileDevices.PlaybackDevice(file),
        SampleFormat = format,
        SampleRate = rate,
        Channels = channels,
        PeriodFrames = period,
        BufferFrames = buffer ?? 4 * period,
        InputSampleRate = InputRate,
        ReopenInitialDelayMs = 5,
        ReopenMaxDelayMs = 40,
    };
}
