using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Tokenizer;

/// <summary>Where the tokenizer's models are and how they run.</summary>
public sealed class TokenizerOptions
{
    /// <summary>The directory laid out as engine/models/CONTRACT.md describes (vq02/, vq06/).</summary>
    [Required]
    public string ModelDirectory { get; set; } = string.Empty;

    /// <summary>Threads and provider for both models.</summary>
    [Required]
    [ValidateObjectMembers]
    public InferenceOptions Inference { get; set; } = new();

    /// <summary>The longest turn a session holds; its sample buffer is sized from this at start.</summary>
    [Range(1, 600)]
    public int MaxUtteranceSeconds { get; set; } = 120;
}

/// <summary>Validates <see cref="TokenizerOptions"/> (source-generated).</summary>
[OptionsValidator]
public sealed partial class TokenizerOptionsValidator : IValidateOptions<TokenizerOptions>;
