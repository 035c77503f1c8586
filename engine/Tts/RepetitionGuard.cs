namespace StepAudio.Engine.Tts;

/// <summary>
/// Step-Audio's TTS repetition guard (STEP-AUDIO.md section 4): at each step the last id is banned
/// for the next step when it occurs at least <see cref="MinCount"/> times among the last
/// <see cref="Window"/> ids, itself included. The window runs over the whole sequence, so at the
/// first generated step it reaches into the prompt.
/// </summary>
/// <remarks>
/// The guard changes sampling, so only the server can apply it: vLLM does so through a custom logits
/// processor loaded at server start (<c>--logits-processors</c>) and switched on per request by the
/// <c>vllm_xargs</c> the device sends (<see cref="Link.GpuServerOptions.TtsRepetitionGuard"/>). The
/// device cannot resample a token, so it checks the stream instead (<see cref="RepetitionGuardMonitor"/>)
/// and reports a server that lets banned ids through.
/// </remarks>
internal static class RepetitionGuard
{
    /// <summary>Ids looked back over, the newest included.</summary>
    public const int Window = 10;

    /// <summary>Occurrences of the newest id within the window that ban it for the next step.</summary>
    public const int MinCount = 2;

    /// <summary>
    /// The id banned for the step after <paramref name="sequence"/> (prompt ids followed by the ids
    /// generated so far, in the LLM's id space); false when nothing is banned.
    /// </summary>
    public static bool TryGetBanned(ReadOnlySpan<int> sequence, out int banned)
    {
        banned = 0;
        if (sequence.IsEmpty)
        {
            return false;
        }

        var window = sequence.Length > Window ? sequence[^Window..] : sequence;
        var last = window[^1];
        var count = 0;
        foreach (var id in window)
        {
            if (id == last)
            {
                count++;
            }
        }

        if (count < MinCount)
        {
            return false;
        }

        banned = last;
        return true;
    }
}

/// <summary>
/// Follows a TTS stream and counts the generated ids that <see cref="RepetitionGuard"/> would have
/// banned: a server that applies the guard never produces one. Keeps the last
/// <see cref="RepetitionGuard.Window"/> ids in a ring, so checking an id allocates nothing.
/// </summary>
internal sealed class RepetitionGuardMonitor
{
    private readonly int[] _ring = new int[RepetitionGuard.Window];
    private int _count;
    private int _next;
    private bool _hasBan;
    private int _banned;

    /// <param name="promptIds">The request's prompt in LLM ids; its tail opens the window.</param>
    public RepetitionGuardMonitor(IReadOnlyList<int> promptIds)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        for (var i = Math.Max(0, promptIds.Count - RepetitionGuard.Window); i < promptIds.Count; i++)
        {
            Push(promptIds[i]);
        }
    }

    /// <summary>Generated ids that the guard bans at their step.</summary>
    public int Violations { get; private set; }

    /// <summary>The first banned id that was generated anyway; valid when <see cref="Violations"/> is above 0.</summary>
    public int FirstViolatingId { get; private set; }

    /// <summary>Takes the next generated id (LLM id space); false when the guard banned it.</summary>
    public bool Accept(int id)
    {
        var allowed = !(_hasBan && id == _banned);
        if (!allowed && Violations++ == 0)
        {
            FirstViolatingId = id;
        }

        Push(id);
        return allowed;
    }

    private void Push(int id)
    {
        _ring[_next] = id;
        _next = (_next + 1) % _ring.Length;
        _count = Math.Min(_count + 1, _ring.Length);
        var occurrences = 0;
        for (var i = 0; i < _count; i++)
        {
            if (_ring[i] == id)
            {
                occurrences++;
            }
        }

        _hasBan = occurrences >= RepetitionGuard.MinCount;
        _banned = id;
    }
}
