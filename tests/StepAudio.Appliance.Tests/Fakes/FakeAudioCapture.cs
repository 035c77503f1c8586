using StepAudio.Appliance.Audio;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>
/// A capture device in software: delivers a period of the given audio every 32 ms from its own
/// thread, like a sound card's clock, and can be made to stall (a wedged driver) and resume.
/// </summary>
internal sealed class FakeAudioCapture(float[] audio, int channels = 2, int sampleRate = 16000, ManualResetEventSlim? startGate = null) : IAudioCapture
{
    private const int PeriodFrames = 512;
    private readonly ManualResetEventSlim _running = new(initialState: true);
    private CancellationTokenSource? _stop;
    private Thread? _thread;

    public AudioStreamFormat? Format { get; private set; }

    public AudioDeviceFault? Fault => null;

    public long Xruns => 0;

    public long PeriodsDelivered;

    public event EventHandler<AudioDeviceFaultEventArgs>? FaultChanged;

    public event EventHandler<AudioStreamFormat>? Opened;

    public void Start(IAudioFrameSink sink)
    {
        Format = new AudioStreamFormat("fake", "FLOAT_LE", sampleRate, channels, PeriodFrames, PeriodFrames * 4);
        Opened?.Invoke(this, Format);
        _ = FaultChanged;
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _thread = new Thread(() => Pump(sink, token)) { IsBackground = true, Name = "fake capture" };
        _thread.Start();
    }

    /// <summary>Stops delivering periods, as a wedged driver would.</summary>
    /// <remarks>Before <c>startGate</c> is set the device delivers nothing (it is not yet hearing the room).</remarks>
    public void Stall() => _running.Reset();

    public void Resume() => _running.Set();

    public void Stop()
    {
        _stop?.Cancel();
        _running.Set();
        _thread?.Join();
    }

    public void Dispose()
    {
        Stop();
        _running.Dispose();
        _stop?.Dispose();
    }

    private void Pump(IAudioFrameSink sink, CancellationToken token)
    {
        var period = new float[PeriodFrames * channels];
        var position = 0;
        using var clock = new PeriodicTimer(TimeSpan.FromMilliseconds(32));
        try
        {
            PumpUntilStopped(sink, period, ref position, clock, token);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void PumpUntilStopped(IAudioFrameSink sink, float[] period, ref int position, PeriodicTimer clock, CancellationToken token)
    {
        // Several fake devices can be started together, as speakers in one room hear one voice.
        startGate?.Wait(token);
        while (!token.IsCancellationRequested)
        {
            _running.Wait(token);
            for (var i = 0; i < PeriodFrames; i++)
            {
                var sample = audio.Length == 0 ? 0f : audio[position++ % audio.Length];
                for (var c = 0; c < channels; c++)
                {
                    period[(i * channels) + c] = sample;
                }
            }

            sink.OnFrames(period, channels);
            Interlocked.Increment(ref PeriodsDelivered);
            clock.WaitForNextTickAsync(token).AsTask().GetAwaiter().GetResult();
        }
    }
}
