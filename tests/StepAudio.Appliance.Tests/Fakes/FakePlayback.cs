using StepAudio.Appliance.Audio;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>A speaker with a gain and nothing behind it.</summary>
internal sealed class FakePlayback : IAudioPlayback
{
    public float Volume { get; set; } = 1f;

    public AudioStreamFormat? Format => null;

    public AudioDeviceFault? Fault => null;

    public long Xruns => 0;

    public int SampleRate => 22050;

    public ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask CompleteReplyAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public Task StopAsync(CancellationToken ct = default) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
