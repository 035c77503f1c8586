using StepAudio.Engine.Tokenizer;

namespace StepAudio.Engine.Voice;

/// <summary>The tokenizer stage of a speaker prompt: trimmed, normalised 16 kHz mono in, interleaved audio ids (0..5119) out.</summary>
public interface IPromptTokenizer
{
    /// <summary>The prompt's dual-codebook ids.</summary>
    Task<int[]> TokenizeAsync(ReadOnlyMemory<float> samples16k, CancellationToken cancellationToken);
}

/// <summary>The device's <see cref="DualCodebookTokenizer"/> as a prompt tokenizer: one whole-file session per prompt.</summary>
public sealed class DualCodebookPromptTokenizer : IPromptTokenizer
{
    private readonly DualCodebookTokenizer _tokenizer;

    /// <param name="tokenizer">The loaded tokenizer; not owned.</param>
    public DualCodebookPromptTokenizer(DualCodebookTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
    }

    /// <inheritdoc />
    public async Task<int[]> TokenizeAsync(ReadOnlyMemory<float> samples16k, CancellationToken cancellationToken)
    {
        var tokens = await _tokenizer.TokenizeAsync(samples16k, cancellationToken).ConfigureAwait(false);
        return tokens.ToInterleavedIds();
    }
}
