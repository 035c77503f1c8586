using StepAudio.Engine.Voice;

namespace StepAudio.Engine.Tests.Voice.Fakes;

/// <summary>The real prompt tokenizer, counting how often the voice cache falls through to it.</summary>
internal sealed class CountingPromptTokenizer(IPromptTokenizer inner) : IPromptTokenizer
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task<int[]> TokenizeAsync(ReadOnlyMemory<float> samples16k, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.TokenizeAsync(samples16k, cancellationToken);
    }
}
