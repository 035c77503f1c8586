namespace StepAudio.StandInServer;

/// <summary>How a generation ended.</summary>
public enum StandInGenerationOutcome
{
    /// <summary>Still streaming.</summary>
    Running,

    /// <summary>Sent every token and [DONE].</summary>
    Completed,

    /// <summary>The client went away first (a cancelled speculation, a barge-in).</summary>
    Cancelled,

    /// <summary>The stand-in cut it off itself.</summary>
    Dropped,
}

/// <summary>
/// One generation as the stand-in saw it: what it was asked, what the prefix cache saved, how
/// many tokens it produced (a cancelled one stops growing when the client goes away).
/// </summary>
public sealed class StandInGenerationRecord
{
    private int _tokensSent;
    private int _outcome;
    private long _endedAt;

    internal StandInGenerationRecord(string route, string userContent, string answer, int promptTokens, int cachedPromptTokens, TimeSpan firstTokenDelay)
    {
        Route = route;
        UserContent = userContent;
        Answer = answer;
        PromptTokens = promptTokens;
        CachedPromptTokens = cachedPromptTokens;
        FirstTokenDelay = firstTokenDelay;
        StartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>"chat" or "tts".</summary>
    public string Route { get; }

    /// <summary>The last user turn (chat) or the target text (TTS).</summary>
    public string UserContent { get; }

    /// <summary>The whole answer it would give.</summary>
    public string Answer { get; }

    /// <summary>Prompt tokens as the server would count them (chat; 0 for TTS).</summary>
    public int PromptTokens { get; }

    /// <summary>Leading prompt tokens the simulated prefix cache already held.</summary>
    public int CachedPromptTokens { get; }

    /// <summary>The first-token delay it waited (after jitter and the cache's saving).</summary>
    public TimeSpan FirstTokenDelay { get; }

    /// <summary>Stopwatch timestamp of the request's arrival.</summary>
    public long StartedAt { get; }

    /// <summary>Stopwatch timestamp of its end (0 while running).</summary>
    public long EndedAt => Interlocked.Read(ref _endedAt);

    /// <summary>Tokens written to the client so far.</summary>
    public int TokensSent => Volatile.Read(ref _tokensSent);

    /// <summary>How it ended, or Running.</summary>
    public StandInGenerationOutcome Outcome => (StandInGenerationOutcome)Volatile.Read(ref _outcome);

    internal void TokenSent() => Interlocked.Increment(ref _tokensSent);

    internal void End(StandInGenerationOutcome outcome)
    {
        if (Interlocked.CompareExchange(ref _outcome, (int)outcome, (int)StandInGenerationOutcome.Running) == (int)StandInGenerationOutcome.Running)
        {
            Interlocked.Exchange(ref _endedAt, System.Diagnostics.Stopwatch.GetTimestamp());
        }
    }
}
