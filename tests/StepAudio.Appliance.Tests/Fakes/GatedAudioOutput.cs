using StepAudio.Engine.Pipeline;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>
/// A playback device that keeps draining a reply until the test opens its gate, so a reply is
/// still playing for as long as the test needs, with no timing involved.
/// </summary>
internal sealed class GatedAudioOutput(int sampleRate = 22050) : IAudioOutput
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _samples;

    public int SampleRate => sampleRate;

    /// <summary>Completes when a reply has been written and is draining.</summary>
    public TaskCompletionSource Draining { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Released => _gate.Task.IsCompleted;

    public long SamplesWritten => Interlocked.Read(ref _samples);

    public void Release() => _gate.TrySetResult();

    public ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _samples, samples.Length);
        return ValueTask.CompletedTask;
    }

    public async ValueTask CompleteReplyAsync(CancellationToken cancellationToken)
    {
        Draining.TrySetResult();
        await _gate.Task.WaitAsync(cancellationToken);
    }
}
