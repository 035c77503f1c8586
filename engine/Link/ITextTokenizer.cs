namespace StepAudio.Engine.Link;

/// <summary>Turns text into a model's token ids. The device carries no tokenizer: the GPU server does it.</summary>
public interface ITextTokenizer
{
    /// <summary>
    /// Token ids of <paramref name="text"/> for <paramref name="model"/>; with <paramref name="addSpecialTokens"/> the
    /// model's tokenizer adds what its <c>encode</c> adds by default (BOS for Step-Audio's), without it none.
    /// </summary>
    Task<int[]> TokenizeAsync(string text, string model, bool addSpecialTokens, CancellationToken cancellationToken = default);
}
