namespace StepAudio.Engine.Link;

/// <summary>Turns text into a model's token ids. The device carries no tokenizer: the GPU server does it.</summary>
public interface ITextTokenizer
{
    /// <summary>Token ids of <paramref name="text"/> for <paramref name="model"/>, without BOS or other special tokens.</summary>
    Task<int[]> TokenizeAsync(string text, string model, CancellationToken cancellationToken = default);
}
