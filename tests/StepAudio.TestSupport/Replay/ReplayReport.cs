using System.Globalization;
using System.Text;

namespace StepAudio.TestSupport.Replay;

/// <summary>What the server did for speculations that were thrown away.</summary>
/// <param name="Generations">Chat generations cancelled before they finished.</param>
/// <param name="Tokens">Tokens those generations produced before the client went away.</param>
/// <param name="PrefixCacheHits">Chat requests that reused cached prompt blocks.</param>
/// <param name="ChatRequests">Chat requests in all.</param>
public readonly record struct ServerWaste(int Generations, int Tokens, int PrefixCacheHits, int ChatRequests);

/// <summary>
/// The figures of a speculative replay against a baseline replay of the same corpus: commit rate,
/// latency saved per committed turn (end of turn to first reply text), and the server's wasted work.
/// </summary>
public sealed class ReplayReport
{
    private ReplayReport()
    {
    }

    public int Turns { get; private init; }

    public int SpeculationsStarted { get; private init; }

    public int SpeculationsCommitted { get; private init; }

    public int SpeculationsCancelledAtResume { get; private init; }

    public int SpeculationsDiscardedAtEnd { get; private init; }

    /// <summary>Committed / started.</summary>
    public double CommitRate => SpeculationsStarted == 0 ? 0 : SpeculationsCommitted / (double)SpeculationsStarted;

    /// <summary>Turns whose reply came from a speculation / turns answered.</summary>
    public double CommittedTurnShare { get; private init; }

    public double MeanSavedMs { get; private init; }

    public double P95SavedMs { get; private init; }

    public double MedianSavedMs { get; private init; }

    public double MeanResponseMs { get; private init; }

    public double BaselineMeanResponseMs { get; private init; }

    public ServerWaste Waste { get; private init; }

    public ServerWaste BaselineWaste { get; private init; }

    /// <summary>Compares the speculative run with the baseline, turn by turn.</summary>
    /// <exception cref="ArgumentException">The runs are not of the same turns.</exception>
    public static ReplayReport Compare(IReadOnlyList<ReplayTurnResult> speculative, IReadOnlyList<ReplayTurnResult> baseline, ServerWaste waste, ServerWaste baselineWaste)
    {
        ArgumentNullException.ThrowIfNull(speculative);
        ArgumentNullException.ThrowIfNull(baseline);
        if (speculative.Count != baseline.Count)
        {
            throw new ArgumentException($"The speculative run has {speculative.Count} turns, the baseline {baseline.Count}: replay the same corpus.", nameof(baseline));
        }

        var saved = new List<double>();
        for (var i = 0; i < speculative.Count; i++)
        {
            if (speculative[i].Committed && !double.IsNaN(speculative[i].ResponseMs) && !double.IsNaN(baseline[i].ResponseMs))
            {
                saved.Add(baseline[i].ResponseMs - speculative[i].ResponseMs);
            }
        }

        var answered = speculative.Count(r => !double.IsNaN(r.ResponseMs));
        return new ReplayReport
        {
            Turns = speculative.Count,
            SpeculationsStarted = speculative.Sum(r => r.SpeculationsStarted),
            SpeculationsCommitted = speculative.Count(r => r.Committed),
            SpeculationsCancelledAtResume = speculative.Sum(r => r.SpeculationsCancelled),
            SpeculationsDiscardedAtEnd = speculative.Sum(r => r.SpeculationsDiscarded),
            CommittedTurnShare = answered == 0 ? 0 : speculative.Count(r => r.Committed) / (double)answered,
            MeanSavedMs = saved.Count == 0 ? 0 : saved.Average(),
            MedianSavedMs = Percentile(saved, 0.5),
            P95SavedMs = Percentile(saved, 0.95),
            MeanResponseMs = Mean(speculative),
            BaselineMeanResponseMs = Mean(baseline),
            Waste = waste,
            BaselineWaste = baselineWaste,
        };
    }

    /// <summary>The figures as a plain-text table.</summary>
    public string ToTable()
    {
        var rows = new List<(string, string)>
        {
            ("turns replayed", Turns.ToString(CultureInfo.InvariantCulture)),
            ("speculations started (one per pause)", SpeculationsStarted.ToString(CultureInfo.InvariantCulture)),
            ("  committed", SpeculationsCommitted.ToString(CultureInfo.InvariantCulture)),
            ("  cancelled when speech resumed", SpeculationsCancelledAtResume.ToString(CultureInfo.InvariantCulture)),
            ("  discarded at end of turn (tokens changed / failed)", SpeculationsDiscardedAtEnd.ToString(CultureInfo.InvariantCulture)),
            ("commit rate (committed / started)", Percent(CommitRate) + "   (paper: about 40%)"),
            ("turns answered by a committed speculation", Percent(CommittedTurnShare)),
            ("latency saved per committed turn, mean", Ms(MeanSavedMs) + "   (paper: about 500 ms)"),
            ("latency saved per committed turn, median", Ms(MedianSavedMs)),
            ("latency saved per committed turn, p95", Ms(P95SavedMs)),
            ("end of turn -> first text, mean, speculative", Ms(MeanResponseMs)),
            ("end of turn -> first text, mean, baseline", Ms(BaselineMeanResponseMs)),
            ("chat requests, speculative / baseline", $"{Waste.ChatRequests} / {BaselineWaste.ChatRequests}"),
            ("wasted server generations (cancelled chat)", Waste.Generations.ToString(CultureInfo.InvariantCulture)),
            ("  tokens generated and thrown away", Waste.Tokens.ToString(CultureInfo.InvariantCulture)),
            ("prefix-cache hits, speculative / baseline", $"{Waste.PrefixCacheHits} / {BaselineWaste.PrefixCacheHits}"),
        };
        var width = rows.Max(r => r.Item1.Length);
        var text = new StringBuilder();
        text.Append("| ").Append("figure".PadRight(width)).AppendLine(" | value");
        text.Append("|-").Append(new string('-', width)).AppendLine("-|------");
        foreach (var (name, value) in rows)
        {
            text.Append("| ").Append(name.PadRight(width)).Append(" | ").AppendLine(value);
        }

        return text.ToString();
    }

    private static double Mean(IReadOnlyList<ReplayTurnResult> results)
    {
        var values = results.Where(r => !double.IsNaN(r.ResponseMs)).Select(r => r.ResponseMs).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }

    /// <summary>Nearest-rank percentile; NaN for no values.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static string Percent(double value) => (100 * value).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static string Ms(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
