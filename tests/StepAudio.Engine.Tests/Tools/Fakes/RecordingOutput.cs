using StepAudio.Engine.Pipeline;

namespace StepAudio.Engine.Tests.Tools.Fakes;

/// <summary>An output that keeps each write, so a test can count chimes.</summary>
internal sealed class RecordingOutput(int sampleRate = 16000) : IAudioOutput
{
    private readonly List<float[]> _writes = [];

    public int SampleRate => sampleRate;

    public int WriteCount
    {
        get
        {
            lock (_writes)
            {
                return _writes.Count;
            }
        }
    }

    public float[] Write(int index)
    {
        lock (_writes)
        {
            return _writes[index];
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writes)
        {
            _writes.Add(samples.ToArray());
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteReplyAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
