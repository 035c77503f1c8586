using StepAudio.Engine.Pipeline;

namespace StepAudio.TestSupport.Room;

/// <summary>
/// The simulated room's loudspeaker, in audio time: the reply path queues samples (16 kHz), the room test pulls one block
/// per captured block, and a stop silences it from the next pull on, noting where in the stream it came.
/// </summary>
public sealed class RoomLoudspeaker : IAudioOutput, IInterruptibleOutput
{
    private readonly Queue<float> _queue = new();

    public int SampleRate => 16000;

    /// <summary>Samples pulled so far (silence included): the stream position.</summary>
    public long Pulled { get; private set; }

    /// <summary>Stops received, and the stream position of the first one.</summary>
    public int Stops { get; private set; }

    public long? FirstStopAt { get; private set; }

    public int Queued
    {
        get
        {
            lock (_queue)
            {
                return _queue.Count;
            }
        }
    }

    public int Replies { get; private set; }

    public void Enqueue(ReadOnlySpan<float> samples)
    {
        lock (_queue)
        {
            foreach (var sample in samples)
            {
                _queue.Enqueue(sample);
            }
        }
    }

    /// <summary>The next block the loudspeaker plays (silence when nothing is queued).</summary>
    public void Pull(Span<float> block)
    {
        lock (_queue)
        {
            for (var i = 0; i < block.Length; i++)
            {
                block[i] = _queue.TryDequeue(out var sample) ? sample : 0f;
            }
        }

        Pulled += block.Length;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken cancellationToken)
    {
        Enqueue(samples.Span);
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteReplyAsync(CancellationToken cancellationToken)
    {
        Replies++;
        return ValueTask.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct = default)
    {
        lock (_queue)
        {
            _queue.Clear();
        }

        Stops++;
        FirstStopAt ??= Pulled;
        return Task.CompletedTask;
    }
}
