namespace StepAudio.Engine.Vocoder.Flow;

/// <summary>
/// Turns the TTS model's interleaved audio ids into flow tokens as they arrive, one id at a time.
/// Ids come in groups of 5 (2 vq02 in 0..1023, then 3 vq06 in 1024..5119).
/// </summary>
public sealed class FlowTokenMapper
{
    /// <summary>Audio ids are 0..5119.</summary>
    public const int AudioIdCount = 5120;

    /// <summary>vq02 ids are 0..1023; vq06 ids start here.</summary>
    public const int Vq06Offset = 1024;

    /// <summary>Most ints one <see cref="Push"/> or <see cref="Flush"/> can write.</summary>
    public const int MaxOutputPerCall = 6;

    private const int GroupSize = 5;
    private const int PairPad = 1024;
    private readonly FlowTokenLayout _layout;
    private readonly int[] _group = new int[GroupSize];
    private int _inGroup;
    private long _position;

    public FlowTokenMapper(FlowTokenLayout layout)
    {
        _layout = layout;
    }

    /// <summary>Ids consumed so far.</summary>
    public long Position => _position;

    /// <summary>Maps a whole utterance at once.</summary>
    public static int[] MapAll(FlowTokenLayout layout, ReadOnlySpan<int> audioIds)
    {
        var mapper = new FlowTokenMapper(layout);
        var result = new List<int>(audioIds.Length * 2);
        Span<int> scratch = stackalloc int[MaxOutputPerCall];
        foreach (var id in audioIds)
        {
            var written = mapper.Push(id, scratch);
            for (var i = 0; i < written; i++)
            {
                result.Add(scratch[i]);
            }
        }

        var tail = mapper.Flush(scratch);
        for (var i = 0; i < tail; i++)
        {
            result.Add(scratch[i]);
        }

        return [.. result];
    }

    /// <summary>Consumes one audio id and writes the flow-token ints it completes into <paramref name="output"/>.</summary>
    /// <returns>How many ints were written (0, 1, or 6 for a completed v2 group).</returns>
    /// <exception cref="InvalidDataException">The id is outside 0..5119.</exception>
    public int Push(int audioId, Span<int> output)
    {
        if ((uint)audioId >= AudioIdCount)
        {
            throw new InvalidDataException(
                $"Audio id {audioId} at position {_position} is outside 0..{AudioIdCount - 1} (ids are LLM ids minus 65536).");
        }

        _position++;
        switch (_layout)
        {
            case FlowTokenLayout.Interleaved:
                output[0] = audioId;
                return 1;
            case FlowTokenLayout.Vq06Only:
                // By value rather than by position: a group the TTS model garbled still keeps its vq06 ids.
                if (audioId < Vq06Offset)
                {
                    return 0;
                }

                output[0] = audioId - Vq06Offset;
                return 1;
            default:
                _group[_inGroup++] = audioId;
                if (_inGroup < GroupSize)
                {
                    return 0;
                }

                _inGroup = 0;
                return WritePairs(output);
        }
    }

    /// <summary>Ends the stream: a partial v2 group is padded (vq02 slots with 0, vq06 slots with 1024) as the reference does.</summary>
    public int Flush(Span<int> output)
    {
        if (_layout != FlowTokenLayout.V2Pairs || _inGroup == 0)
        {
            _inGroup = 0;
            return 0;
        }

        for (var slot = _inGroup; slot < GroupSize; slot++)
        {
            _group[slot] = slot < 2 ? 0 : Vq06Offset;
        }

        _inGroup = 0;
        return WritePairs(output);
    }

    private int WritePairs(Span<int> output)
    {
        // (vq02[0], vq06[0]), (vq02[1], vq06[1]), (pad, vq06[2]); vq06 id - 1024 + 1025.
        output[0] = _group[0];
        output[1] = _group[2] + 1;
        output[2] = _group[1];
        output[3] = _group[3] + 1;
        output[4] = PairPad;
        output[5] = _group[4] + 1;
        return MaxOutputPerCall;
    }
}
