using StepAudio.Engine.Pipeline;

namespace StepAudio.Engine.Tests.Conversation.Fakes;

/// <summary>A playback device that keeps what it was asked to play, reply by reply.</summary>
internal sealed class RecordingAudioOutput(int sampleRate) : IAudioOutput
{
    private readonly List<float> _current = [];
    private readonly List<float[]> _replies = [];
    private readonly Lock _gate = new();

    public int SampleRate => sampleRate;

    /// <summary>Each completed reply's samples, in order.</summary>
    public IReadOnlyList<float[]> Replies
    {
        get
        {
            lock (_gate)
            {
                return [.. _replies];
            }
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _current.AddRange(samples.Span);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteReplyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _replies.Add([.. _current]);
            _current.Clear();
        }

        return ValueTask.CompletedTask;
    }
}
