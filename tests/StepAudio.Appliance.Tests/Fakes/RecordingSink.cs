using StepAudio.Appliance.Audio;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>Keeps the first <c>capacity</c> captured samples and signals once it has them.</summary>
public sealed class RecordingSink(int capacity) : IAudioFrameSink
{
    private readonly float[] _samples = new float[capacity];
    private readonly TaskCompletionSource _full = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    public int Channels { get; private set; }

    public Task Full => _full.Task;

    public float[] Samples => _samples;

    public void OnFrames(ReadOnlySpan<float> interleaved, int channels)
    {
        Channels = channels;
        var take = Math.Min(interleaved.Length, _samples.Length - _count);
        interleaved[..take].CopyTo(_samples.AsSpan(_count));
        _count += take;
        if (_count == _samples.Length)
        {
            _full.TrySetResult();
        }
    }
}
