using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Audio.Alsa;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.Engine.Audio;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Appliance.Tests.Audio;

[Collection(AlsaTestGroup.Name)]
public sealed class AlsaCaptureTests(AlsaFileDevices devices)
{
    private const int Rate = 16_000;

    [Theory]
    [InlineData(AlsaSampleFormat.S16Le, WavSampleFormat.Pcm16)]
    [InlineData(AlsaSampleFormat.S32Le, WavSampleFormat.Pcm32)]
    [InlineData(AlsaSampleFormat.FloatLe, WavSampleFormat.Float32)]
    public async Task Start_WhenFilePcmReadsAWav_DeliversItsSamplesInterleavedThenSilence(AlsaSampleFormat format, WavSampleFormat wavFormat)
    {
        const int channels = 2;
        const int frames = 3000; // not a whole number of periods: the last read is partly past the end
        var wav = TestSignals.ThroughWav(devices.NewPath("in.wav"), TestSignals.Tones(frames, channels, Rate), Rate, channels, wavFormat);
        var raw = devices.NewPath("in.raw");
        await File.WriteAllBytesAsync(raw, TestSignals.ToRaw(wav, format));
        var sink = new RecordingSink((frames + 1024) * channels);
        using var capture = new AlsaCapture(Options(raw, format, channels));

        capture.Start(sink);
        await sink.Full.Within();
        capture.Stop();

        Assert.Equal(channels, sink.Channels);
        Assert.Equal(wav, sink.Samples[..wav.Length]);
        Assert.All(sink.Samples[wav.Length..], s => Assert.Equal(0f, s));
    }

    [Fact]
    public async Task Format_WhenOpened_ReportsTheNegotiatedParameters()
    {
        var raw = devices.NewPath("in.raw");
        await File.WriteAllBytesAsync(raw, new byte[4096]);
        var opened = new TaskCompletionSource<AudioStreamFormat>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var capture = new AlsaCapture(Options(raw, AlsaSampleFormat.S32Le, channels: 4, period: 160, buffer: 640));
        capture.Opened += (_, format) => opened.TrySetResult(format);

        capture.Start(new RecordingSink(1));
        var format = await opened.Task.Within();
        var reported = capture.Format;
        capture.Stop();

        Assert.Equal(new AudioStreamFormat(AlsaFileDevices.CaptureDevice(raw), "S32_LE", Rate, 4, 160, 640), format);
        Assert.Equal(format, reported);
        Assert.Null(capture.Format);
    }

    [Fact]
    public async Task Read_WhenTheDeviceOverruns_RecoversThroughLibasoundCountsTheXrunAndLosesNothing()
    {
        var wav = TestSignals.Tones(2048, 1, Rate);
        var raw = devices.NewPath("in.raw");
        await File.WriteAllBytesAsync(raw, TestSignals.ToRaw(wav, AlsaSampleFormat.FloatLe));
        using var meters = new TestMeterFactory();
        using var metrics = new AudioMetrics(meters);
        var opener = new FaultInjectingPcmOpener(AlsaPcmOpener.Instance) { ReadFault = (_, read) => read is 3 or 5 ? -AlsaErrno.EPIPE : 0 };
        var sink = new RecordingSink(wav.Length);
        using var capture = new AlsaCapture(Options(raw, AlsaSampleFormat.FloatLe, 1), opener, null, metrics, TimeProvider.System);

        capture.Start(sink);
        await sink.Full.Within();
        capture.Stop();

        Assert.Equal(2, capture.Xruns);
        Assert.Equal(2, meters.Total("stepaudio.audio.xruns"));
        Assert.Equal(1, opener.Opens);
        Assert.Equal(wav, sink.Samples);
    }

    [Fact]
    public async Task Start_WhenTheDeviceCannotOpenYet_ReportsTheFaultWithBackoffAndDeliversOnceItExists()
    {
        var wav = TestSignals.Tones(1024, 1, Rate);
        var raw = devices.NewPath("late.raw");
        var faults = new List<AudioDeviceFault?>();
        var twoFailures = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new RecordingSink(wav.Length);
        using var meters = new TestMeterFactory();
        using var metrics = new AudioMetrics(meters);
        using var capture = new AlsaCapture(Options(raw, AlsaSampleFormat.FloatLe, 1), AlsaPcmOpener.Instance, null, metrics, TimeProvider.System);
        capture.FaultChanged += (_, e) =>
        {
            lock (faults)
            {
                faults.Add(e.Fault);
                if (faults.Count == 2)
                {
                    twoFailures.TrySetResult();
                }
            }
        };

        capture.Start(sink);
        await twoFailures.Task.Within();
        var fault = capture.Fault;
        // The capture retries every few ms: a file written in place could be opened while still empty, and past its end the
        // file plugin delivers silence. The infile appears whole, as a plugged-in device's stream would.
        await AlsaFileDevices.PublishAsync(raw, TestSignals.ToRaw(wav, AlsaSampleFormat.FloatLe));
        await sink.Full.Within();
        capture.Stop();

        // libasound's own error: the file plugin cannot open its infile.
        Assert.NotNull(fault);
        Assert.Equal(-AlsaErrno.ENOENT, fault.ErrorCode);
        Assert.Contains(AlsaFileDevices.CaptureDevice(raw), fault.Message, StringComparison.Ordinal);
        lock (faults)
        {
            Assert.Equal([1, 2], faults.Take(2).Select(f => f!.Attempts));
            Assert.Equal([TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10)], faults.Take(2).Select(f => f!.NextAttemptIn));
            Assert.Equal(faults[0]!.Since, faults[1]!.Since);
            Assert.Null(faults[^1]);
        }

        Assert.Null(capture.Fault);
        Assert.Equal(1, meters.Total("stepaudio.audio.reopens"));
        Assert.Equal(wav, sink.Samples);
    }

    [Fact]
    public async Task Read_WhenTheDeviceVanishes_ClosesReportsReopensAndDeliversTheNewStream()
    {
        var before = TestSignals.Tones(4096, 1, Rate, amplitude: 0.25f);
        var after = TestSignals.Tones(1024, 1, Rate, amplitude: 0.75f);
        var raw = devices.NewPath("unplugged.raw");
        await File.WriteAllBytesAsync(raw, TestSignals.ToRaw(before, AlsaSampleFormat.FloatLe));
        var faulted = new TaskCompletionSource<AudioDeviceFault>(TaskCreationOptions.RunContinuationsAsynchronously);
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // ENODEV is what a USB microphone's read returns when it is pulled; the file plugin cannot produce it, so it is
        // injected on the first device's 3rd read and the infile removed with it: the reopens then fail in libasound until it is back.
        var opener = new FaultInjectingPcmOpener(AlsaPcmOpener.Instance)
        {
            ReadFault = (open, read) => open == 1 && read == 3 ? -AlsaErrno.ENODEV : 0,
            FaultInjected = _ => File.Delete(raw),
        };
        var sink = new SwitchingSink(256 * 2, after.Length);
        using var capture = new AlsaCapture(Options(raw, AlsaSampleFormat.FloatLe, 1), opener, null, null, TimeProvider.System);
        var opens = 0;
        capture.Opened += (_, _) =>
        {
            if (++opens == 2)
            {
                sink.NextOpen();
            }
        };
        capture.FaultChanged += (_, e) =>
        {
            if (e.Fault is { Attempts: 2 } fault)
            {
                faulted.TrySetResult(fault);
            }
            else if (e.Fault is null)
            {
                recovered.TrySetResult();
            }
        };

        capture.Start(sink);
        var fault = await faulted.Task.Within();
        await AlsaFileDevices.PublishAsync(raw, TestSignals.ToRaw(after, AlsaSampleFormat.FloatLe));
        await recovered.Task.Within();
        await sink.Second.Full.Within();
        capture.Stop();

        Assert.Equal(-AlsaErrno.ENOENT, fault.ErrorCode);
        Assert.Equal(2, opener.Opens);
        Assert.Equal(before[..512], sink.First.Samples);
        Assert.Equal(after, sink.Second.Samples);
    }

    [Fact]
    public void Validate_WhenTheBufferHoldsFewerThanTwoPeriods_FailsNamingTheField()
    {
        var options = new AlsaCaptureOptions { PeriodFrames = 512, BufferFrames = 600 };

        var result = new AlsaCaptureOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("BufferFrames", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WhenThePcmIsUnknown_ThrowsWithLibasoundsReason()
    {
        var request = new PcmRequest("stepaudio_no_such_pcm", PcmDirection.Capture, AlsaSampleFormat.S16Le, Rate, 1, 256, 1024);

        var error = Assert.Throws<AlsaException>(() => AlsaPcmOpener.Instance.Open(request));

        Assert.Contains("'stepaudio_no_such_pcm'", error.Message, StringComparison.Ordinal);
        Assert.Equal("stepaudio_no_such_pcm", error.Device);
    }

    private static AlsaCaptureOptions Options(string raw, AlsaSampleFormat format, int channels, int period = 256, int buffer = 1024) => new()
    {
        Device = AlsaFileDevices.CaptureDevice(raw),
        SampleFormat = format,
        SampleRate = Rate,
        Channels = channels,
        PeriodFrames = period,
        BufferFrames = buffer,
        ReopenInitialDelayMs = 5,
        ReopenMaxDelayMs = 40,
    };

    /// <summary>Records the first stream until the device fails, then the stream after the reopen.</summary>
    private sealed class SwitchingSink(int firstCapacity, int secondCapacity) : IAudioFrameSink
    {
        private int _opens;

        public RecordingSink First { get; } = new(firstCapacity);

        public RecordingSink Second { get; } = new(secondCapacity);

        public void NextOpen() => Interlocked.Increment(ref _opens);

        public void OnFrames(ReadOnlySpan<float> interleaved, int channels) =>
            (Volatile.Read(ref _opens) == 0 ? First : Second).OnFrames(interleaved, channels);
    }
}
