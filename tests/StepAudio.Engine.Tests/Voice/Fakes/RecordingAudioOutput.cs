using StepAudio.Engine.Pipeline;

namespace StepAudio.Engine.Tests.Voice.Fakes;

/// <summary>A playback device that keeps what it was asked to play.</summary>
internal sealed class RecordingAudioOutput(int sampleRate) : IAudioOutput
{
    private readonly List<float> _samples = [];

    public int SampleRate => sampleRate;

    public int Replies { get; private set; }

    public int SampleCount
    {
        get
        {
            lock (_samples)
            {
                return _samples.Count;
            }
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken cancellationToken)
    {
        lock (_samples)
        {
            _samples.AddRange(samples.Span);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteReplyAsync(CancellationToken cancellationToken)
    {
        Replies++;
        return ValueTask.CompletedTask;
    }
}
