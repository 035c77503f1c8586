using StepAudio.Engine.Pipeline;

namespace StepAudio.TestSupport.Replay.Fakes;

/// <summary>A playback device that keeps nothing but counts: samples written and replies completed.</summary>
public sealed class CountingAudioOutput(int sampleRate = 16000) : IAudioOutput
{
    private long _samples;
    private int _replies;

    public int SampleRate { get; } = sampleRate;

    /// <summary>Samples written so far.</summary>
    public long Samples => Interlocked.Read(ref _samples);

    /// <summary>Replies completed so far.</summary>
    public int Replies => Volatile.Read(ref _replies);

    public ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Add(ref _samples, samples.Length);
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteReplyAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _replies);
        return ValueTask.CompletedTask;
    }
}
