namespace StepAudio.TestSupport.Replay;

/// <summary>A stretch of a scripted turn: speech or silence, in ms.</summary>
/// <param name="IsSpeech">Speech (the VAD says so, with the odd dip) or silence (with the odd blip).</param>
/// <param name="Ms">Length.</param>
public readonly record struct ReplaySegment(bool IsSpeech, int Ms);

/// <summary>One scripted user turn after the wake word: what the VAD would see, frame by frame.</summary>
/// <param name="Index">Position in the corpus (0-based).</param>
/// <param name="Segments">Silence before speaking, then phrases and the pauses between them, then a long silence.</param>
/// <param name="Seed">Seed of the frame-level VAD noise and of the turn's audio tokens.</param>
public sealed record ReplayTurnScript(int Index, IReadOnlyList<ReplaySegment> Segments, int Seed)
{
    /// <summary>Pauses between phrases (not the silence before the first word or after the last).</summary>
    public IEnumerable<int> InnerPausesMs => Segments.Skip(1).SkipLast(1).Where(s => !s.IsSpeech).Select(s => s.Ms);

    /// <summary>The whole script's length in ms.</summary>
    public int TotalMs => Segments.Sum(s => s.Ms);
}

/// <summary>How the corpus varies. Defaults follow conversational speech: 1 to 4 phrases, and between them mostly hesitations, often real pauses.</summary>
public sealed class ReplayCorpusOptions
{
    public int Seed { get; set; } = 2026;

    public int Turns { get; set; } = 40;

    /// <summary>Phrases per turn, inclusive.</summary>
    public int MinPhrases { get; set; } = 1;

    public int MaxPhrases { get; set; } = 4;

    public int MinPhraseMs { get; set; } = 400;

    public int MaxPhraseMs { get; set; } = 2600;

    /// <summary>Share of inner pauses that are short hesitations, below the pause threshold.</summary>
    public double HesitationShare { get; set; } = 0.4;

    /// <summary>Hesitation lengths (ms), inclusive.</summary>
    public (int Min, int Max) HesitationMs { get; set; } = (80, 240);

    /// <summary>Real pause lengths (ms): the user stops, then goes on; the longest reach the end-of-turn threshold.</summary>
    public (int Min, int Max) PauseMs { get; set; } = (280, 760);

    /// <summary>Silence between the wake word and the first word.</summary>
    public (int Min, int Max) LeadMs { get; set; } = (150, 600);

    /// <summary>Silence after the last word (long enough for any end-of-turn setting in use).</summary>
    public int TrailMs { get; set; } = 1500;
}

/// <summary>
/// Generates scripted turns for the conversation replay: produced by the test suite from a seed,
/// so no audio is committed and the same seed gives the same corpus.
/// </summary>
public static class ReplayCorpus
{
    /// <summary>The corpus of <paramref name="options"/>.</summary>
    public static IReadOnlyList<ReplayTurnScript> Generate(ReplayCorpusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Turns <= 0 || options.MinPhrases <= 0 || options.MaxPhrases < options.MinPhrases || options.MinPhraseMs <= 0 || options.MaxPhraseMs < options.MinPhraseMs)
        {
            throw new ArgumentException(
                $"ReplayCorpusOptions: Turns ({options.Turns}), MinPhrases ({options.MinPhrases}) and MinPhraseMs ({options.MinPhraseMs}) must be positive, and each Max at least its Min.",
                nameof(options));
        }

        var random = new Random(options.Seed);
        var turns = new List<ReplayTurnScript>(options.Turns);
        for (var t = 0; t < options.Turns; t++)
        {
            var segments = new List<ReplaySegment> { new(false, Between(random, options.LeadMs)) };
            var phrases = random.Next(options.MinPhrases, options.MaxPhrases + 1);
            for (var p = 0; p < phrases; p++)
            {
                if (p > 0)
                {
                    var pause = random.NextDouble() < options.HesitationShare ? Between(random, options.HesitationMs) : Between(random, options.PauseMs);
                    segments.Add(new ReplaySegment(false, pause));
                }

                segments.Add(new ReplaySegment(true, random.Next(options.MinPhraseMs, options.MaxPhraseMs + 1)));
            }

            segments.Add(new ReplaySegment(false, options.TrailMs));
            turns.Add(new ReplayTurnScript(t, segments, random.Next()));
        }

        return turns;
    }

    private static int Between(Random random, (int Min, int Max) range) => random.Next(range.Min, range.Max + 1);
}
