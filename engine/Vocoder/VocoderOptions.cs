using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Vocoder;

/// <summary>Where the vocoder's models are and how it streams. Chunk sizes left null come from the profile's vocoder.json.</summary>
public sealed class VocoderOptions
{
    /// <summary>The models root; the profile lives in <c>{ModelDirectory}/vocoder/{Profile}/</c>.</summary>
    [Required]
    public string ModelDirectory { get; set; } = string.Empty;

    /// <summary>The profile directory name (<c>v1</c>: Step-Audio's 22.05 kHz vocoder).</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]+$", ErrorMessage = "Profile must be a plain directory name.")]
    public string Profile { get; set; } = "v1";

    /// <summary>Threads and provider for all six models.</summary>
    [Required]
    [ValidateObjectMembers]
    public InferenceOptions Inference { get; set; } = new();

    /// <summary>Flow tokens in the first chunk: small, so the first sound comes early.</summary>
    [Range(1, 100000)]
    public int? FirstChunkTokens { get; set; }

    /// <summary>Look-ahead of the first chunk only (at most <see cref="OverlapTokens"/>): the first sound waits for <c>FirstChunkTokens + FirstLookAheadTokens</c> tokens.</summary>
    [Range(0, 100000)]
    public int? FirstLookAheadTokens { get; set; }

    /// <summary>Mel frames of the first chunk HiFT holds back for the fade into the second (at most the profile's hiftCacheFrames).</summary>
    [Range(0, 10000)]
    public int? FirstHiftCacheFrames { get; set; }

    /// <summary>Flow tokens in the second chunk; later chunks double up to <see cref="MaxChunkTokens"/>. At least <see cref="OverlapTokens"/>.</summary>
    [Range(1, 100000)]
    public int? ChunkTokens { get; set; }

    /// <summary>The largest chunk.</summary>
    [Range(1, 100000)]
    public int? MaxChunkTokens { get; set; }

    /// <summary>Look-ahead tokens a chunk shares with the next (and left context it re-reads).</summary>
    [Range(0, 100000)]
    public int? OverlapTokens { get; set; }

    /// <summary>Fixes the flow's starting noise; null draws one per session (the reference has no fixed seed).</summary>
    public long? NoiseSeed { get; set; }
}

/// <summary>Checks <see cref="VocoderOptions"/> (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class VocoderOptionsValidator : IValidateOptions<VocoderOptions>;

/// <summary>The chunking in force: options where set, else the profile.</summary>
/// <param name="FirstChunkTokens">Tokens in the first chunk.</param>
/// <param name="ChunkTokens">Tokens in the second chunk.</param>
/// <param name="MaxChunkTokens">Largest chunk.</param>
/// <param name="OverlapTokens">Look-ahead and left context of every chunk after the first.</param>
/// <param name="HiftCacheFrames">Mel frames HiFT re-reads.</param>
/// <param name="FirstLookAheadTokens">Look-ahead of the first chunk.</param>
/// <param name="FirstHiftCacheFrames">Mel frames HiFT holds back from the first chunk.</param>
public sealed record VocoderChunking(
    int FirstChunkTokens, int ChunkTokens, int MaxChunkTokens, int OverlapTokens, int HiftCacheFrames, int FirstLookAheadTokens, int FirstHiftCacheFrames)
{
    /// <summary>Flow tokens that must have arrived before the first chunk runs.</summary>
    public int TokensBeforeFirstChunk => FirstChunkTokens + FirstLookAheadTokens;

    /// <summary>Tokens in chunk <paramref name="index"/> (0-based): first, second, then doubling up to the max.</summary>
    public int HopTokens(int index)
    {
        if (index == 0)
        {
            return FirstChunkTokens;
        }

        var hop = ChunkTokens;
        for (var k = 1; k < index && hop < MaxChunkTokens; k++)
        {
            hop *= 2;
        }

        return Math.Min(hop, MaxChunkTokens);
    }

    /// <summary>Look-ahead of chunk <paramref name="index"/>.</summary>
    public int LookAheadTokens(int index) => index == 0 ? FirstLookAheadTokens : OverlapTokens;

    /// <summary>Mel frames HiFT holds back after chunk <paramref name="index"/>.</summary>
    public int HiftHoldFrames(int index) => index == 0 ? FirstHiftCacheFrames : HiftCacheFrames;

    internal static VocoderChunking Resolve(VocoderOptions options, VocoderProfile profile)
    {
        var chunking = new VocoderChunking(
            options.FirstChunkTokens ?? profile.FirstChunkTokens,
            options.ChunkTokens ?? profile.ChunkTokens,
            options.MaxChunkTokens ?? profile.MaxChunkTokens,
            options.OverlapTokens ?? profile.OverlapTokens,
            profile.HiftCacheFrames,
            options.FirstLookAheadTokens ?? profile.FirstLookAheadTokens,
            options.FirstHiftCacheFrames ?? profile.FirstHiftCacheFrames);
        var failures = new List<string>();
        if (chunking.FirstChunkTokens > chunking.MaxChunkTokens || chunking.ChunkTokens > chunking.MaxChunkTokens)
        {
            failures.Add($"FirstChunkTokens ({chunking.FirstChunkTokens}) and ChunkTokens ({chunking.ChunkTokens}) must not exceed MaxChunkTokens ({chunking.MaxChunkTokens}).");
        }

        if (chunking.ChunkTokens < chunking.OverlapTokens)
        {
            // The fade region of a chunk must lie inside what that chunk emits.
            failures.Add($"ChunkTokens ({chunking.ChunkTokens}) must be at least OverlapTokens ({chunking.OverlapTokens}).");
        }

        if (chunking.FirstLookAheadTokens > chunking.OverlapTokens)
        {
            // The first chunk's held look-ahead mel must fit the buffer every later look-ahead uses.
            failures.Add($"FirstLookAheadTokens ({chunking.FirstLookAheadTokens}) must not exceed OverlapTokens ({chunking.OverlapTokens}).");
        }

        if (chunking.FirstHiftCacheFrames > chunking.HiftCacheFrames)
        {
            failures.Add($"FirstHiftCacheFrames ({chunking.FirstHiftCacheFrames}) must not exceed the profile's hiftCacheFrames ({chunking.HiftCacheFrames}).");
        }

        var firstFrames = profile.FramesForTokens(chunking.FirstChunkTokens);
        if (firstFrames <= chunking.FirstHiftCacheFrames)
        {
            // Otherwise HiFT would hold back the whole first chunk and the first sound would wait for the second.
            failures.Add(
                $"FirstChunkTokens ({chunking.FirstChunkTokens}) gives {firstFrames} mel frames, which must be more than FirstHiftCacheFrames ({chunking.FirstHiftCacheFrames}).");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(VocoderOptions), typeof(VocoderOptions), failures);
        }

        return chunking;
    }
}
