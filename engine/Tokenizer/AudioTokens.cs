using System.Text;

namespace StepAudio.Engine.Tokenizer;

/// <summary>
/// The two token streams of one stretch of audio and their 2:3 interleaving (STEP-AUDIO.md
/// section 2): groups of 2 vq02 then 3 vq06 tokens, 120 ms each; a trailing incomplete group is
/// dropped. Immutable.
/// </summary>
public sealed class AudioTokens
{
    /// <summary>vq02 vocabulary: ids 0..1023.</summary>
    public const int Vq02CodebookSize = 1024;

    /// <summary>vq06 vocabulary: ids 0..4095, interleaved as 1024..5119.</summary>
    public const int Vq06CodebookSize = 4096;

    /// <summary>Interleaved ids are 0..5119.</summary>
    public const int InterleavedVocabularySize = Vq02CodebookSize + Vq06CodebookSize;

    /// <summary>The LLM vocabulary id of interleaved id 0.</summary>
    public const int LlmAudioIdOffset = 65536;

    /// <summary>vq02 tokens per group.</summary>
    public const int Vq02PerGroup = 2;

    /// <summary>vq06 tokens per group.</summary>
    public const int Vq06PerGroup = 3;

    private const int GroupSize = Vq02PerGroup + Vq06PerGroup;

    private readonly int[] _vq02;
    private readonly int[] _vq06;

    /// <summary>Copies and checks the two streams.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A token is outside its codebook.</exception>
    public AudioTokens(ReadOnlySpan<int> vq02, ReadOnlySpan<int> vq06)
    {
        CheckRange(vq02, Vq02CodebookSize, nameof(vq02));
        CheckRange(vq06, Vq06CodebookSize, nameof(vq06));
        _vq02 = vq02.ToArray();
        _vq06 = vq06.ToArray();
    }

    /// <summary>No audio.</summary>
    public static AudioTokens Empty { get; } = new([], []);

    /// <summary>Linguistic tokens, 0..1023, one per 60 ms.</summary>
    public ReadOnlyMemory<int> Vq02 => _vq02;

    /// <summary>Semantic tokens, 0..4095 (raw codebook index), one per 40 ms.</summary>
    public ReadOnlyMemory<int> Vq06 => _vq06;

    /// <summary>Complete groups: min(vq06 / 3, vq02 / 2).</summary>
    public int GroupCount => Math.Min(_vq06.Length / Vq06PerGroup, _vq02.Length / Vq02PerGroup);

    /// <summary>The interleaved ids 0..5119 (vq06 shifted by 1024), complete groups only.</summary>
    public int[] ToInterleavedIds()
    {
        var ids = new int[GroupCount * GroupSize];
        Interleave(ids, 0);
        return ids;
    }

    /// <summary>The LLM vocabulary ids: 65536 + the interleaved id.</summary>
    public int[] ToLlmIds()
    {
        var ids = new int[GroupCount * GroupSize];
        Interleave(ids, LlmAudioIdOffset);
        return ids;
    }

    /// <summary>
    /// The string the chat model reads: <c>&lt;audio_n&gt;</c> per interleaved id, no separators,
    /// no start or end markers.
    /// </summary>
    public string ToTokenString()
    {
        var ids = ToInterleavedIds();
        var text = new StringBuilder(ids.Length * 12);
        foreach (var id in ids)
        {
            text.Append("<audio_").Append(id).Append('>');
        }

        return text.ToString();
    }

    /// <summary>The inverse of <see cref="ToInterleavedIds"/>: whole groups of 2 ids in 0..1023 then 3 in 1024..5119.</summary>
    /// <exception cref="ArgumentException">The ids are not whole groups or an id is out of place.</exception>
    public static AudioTokens FromInterleaved(ReadOnlySpan<int> ids)
    {
        if (ids.Length % GroupSize != 0)
        {
            throw new ArgumentException($"Interleaved audio ids come in groups of {GroupSize}; {ids.Length} ids leave {ids.Length % GroupSize} over.", nameof(ids));
        }

        var groups = ids.Length / GroupSize;
        var vq02 = new int[groups * Vq02PerGroup];
        var vq06 = new int[groups * Vq06PerGroup];
        for (var g = 0; g < groups; g++)
        {
            for (var i = 0; i < GroupSize; i++)
            {
                var index = (g * GroupSize) + i;
                var id = ids[index];
                if (i < Vq02PerGroup)
                {
                    if ((uint)id >= Vq02CodebookSize)
                    {
                        throw new ArgumentException($"Id {id} at index {index} should be a vq02 id (0..{Vq02CodebookSize - 1}): position {i} of its group.", nameof(ids));
                    }

                    vq02[(g * Vq02PerGroup) + i] = id;
                }
                else
                {
                    if (id < Vq02CodebookSize || id >= InterleavedVocabularySize)
                    {
                        throw new ArgumentException($"Id {id} at index {index} should be a vq06 id ({Vq02CodebookSize}..{InterleavedVocabularySize - 1}): position {i} of its group.", nameof(ids));
                    }

                    vq06[(g * Vq06PerGroup) + i - Vq02PerGroup] = id - Vq02CodebookSize;
                }
            }
        }

        return new AudioTokens(vq02, vq06);
    }

    private void Interleave(Span<int> destination, int offset)
    {
        var o = 0;
        for (var g = 0; g < GroupCount; g++)
        {
            for (var i = 0; i < Vq02PerGroup; i++)
            {
                destination[o++] = offset + _vq02[(g * Vq02PerGroup) + i];
            }

            for (var i = 0; i < Vq06PerGroup; i++)
            {
                destination[o++] = offset + Vq02CodebookSize + _vq06[(g * Vq06PerGroup) + i];
            }
        }
    }

    private static void CheckRange(ReadOnlySpan<int> tokens, int size, string name)
    {
        for (var i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)size)
            {
                throw new ArgumentOutOfRangeException(name, tokens[i], $"Token {i} of {name} is {tokens[i]}, outside 0..{size - 1}.");
            }
        }
    }
}
