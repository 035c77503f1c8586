using StepAudio.Engine.Pipeline;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>A playback device that keeps what it was asked to play.</summary>
internal sealed class RecordingAudioOutput(int sampleRate = 22050) : IAudioOutput
{
    private readonly List<float> _samples = [];

    public int SampleRate => sampleRate;

    public int Replies { get; private set; }

    public float[] Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
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
