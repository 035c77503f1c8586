using StepAudio.Engine.Pipeline;

namespace StepAudio.TestSupport.Fakes;

/// <summary>A playback device that keeps what it was asked to play: every sample, and each completed reply on its own.</summary>
public sealed class RecordingAudioOutput(int sampleRate) : IAudioOutput
{
    private readonly Lock _gate = new();
    private readonly List<float> _samples = [];
    private readonly List<float[]> _replies = [];
    private int _replyStart;

    public int SampleRate => sampleRate;

    /// <summary>Every sample written so far, replies one after the other.</summary>
    public float[] Samples
    {
        get
        {
            lock (_gate)
            {
                return [.. _samples];
            }
        }
    }

    public int SampleCount
    {
        get
        {
            lock (_gate)
            {
                return _samples.Count;
            }
        }
    }

    /// <summary>Each completed reply's samples, in order.</summary>
    public IReadOnlyList<float[]> CompletedReplies
    {
        get
        {
            lock (_gate)
            {
                return [.. _replies];
            }
        }
    }

    public int ReplyCount
    {
        get
        {
            lock (_gate)
            {
                return _replies.Count;
            }
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _samples.AddRange(samples.Span);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteReplyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _replies.Add([.. _samples[_replyStart..]]);
            _replyStart = _samples.Count;
        }

        return ValueTask.CompletedTask;
    }
}
