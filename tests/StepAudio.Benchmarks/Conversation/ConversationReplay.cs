using System.Globalization;
using StepAudio.ContractModels.Vocoder;
using StepAudio.Engine.Endpointing;
using StepAudio.StandInServer;
using StepAudio.TestSupport.Replay;

namespace StepAudio.Benchmarks.Conversation;

/// <summary>
/// Replays a generated corpus of turns in real time through the real endpointing and the whole
/// reply side, against the stand-in server with realistic first-token delays: once with
/// speculative responses, once without (the baseline), and prints commit rate, latency saved
/// per committed turn and the server's wasted work.
/// </summary>
internal static class ConversationReplay
{
    public static async Task<int> RunAsync(string[] args)
    {
        var corpusOptions = new ReplayCorpusOptions { Turns = 30 };
        var unstableTail = 2;
        var endpointing = new EndpointingOptions();
        var server = ServerOptions();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--turns": corpusOptions.Turns = value; break;
                case "--seed": corpusOptions.Seed = value; break;
                case "--unstable-tail": unstableTail = value; break;
                case "--pause-ms": endpointing.PauseMs = value; break;
                case "--end-of-turn-ms": endpointing.EndOfTurnMs = value; break;
                case "--first-token-ms": server.FirstTokenDelay = TimeSpan.FromMilliseconds(value); break;
                case "--jitter-ms": server.FirstTokenJitter = TimeSpan.FromMilliseconds(value); break;
                default:
                    await Console.Error.WriteLineAsync(
                        $"Unknown option {args[i]}; use --turns N, --seed N, --unstable-tail N, --pause-ms N, --end-of-turn-ms N, --first-token-ms N, --jitter-ms N.");
                    return 2;
            }
        }

        var corpus = ReplayCorpus.Generate(corpusOptions);
        var models = Path.Combine(Path.GetTempPath(), $"stepaudio-replay-{Guid.NewGuid():N}");
        VocoderContractModels.WriteAll(models);
        try
        {
            Describe(corpus, corpusOptions, endpointing, server);
            var baseline = await RunOnceAsync(corpus, models, endpointing, server, unstableTail, speculate: false);
            var speculative = await RunOnceAsync(corpus, models, endpointing, server, unstableTail, speculate: true);
            var report = ReplayReport.Compare(speculative.Results, baseline.Results, speculative.Waste, baseline.Waste);
            Console.WriteLine();
            Console.WriteLine(report.ToTable());
            return 0;
        }
        finally
        {
            Directory.Delete(models, recursive: true);
        }
    }

    /// <summary>The stand-in as a loaded GPU server: 300-800 ms to the first token, 40 tokens/s, a prefix cache.</summary>
    private static StandInOptions ServerOptions() => new()
    {
        FirstTokenDelay = TimeSpan.FromMilliseconds(300),
        FirstTokenJitter = TimeSpan.FromMilliseconds(500),
        JitterSeed = 8,
        TokenInterval = TimeSpan.FromMilliseconds(25),
        TtsTokensPerCharacter = 1,
        PrefixCacheEntries = 32,
        PrefixCacheDelayShare = 0.5,
    };

    private static async Task<(IReadOnlyList<ReplayTurnResult> Results, ServerWaste Waste)> RunOnceAsync(
        IReadOnlyList<ReplayTurnScript> corpus, string models, EndpointingOptions endpointing, StandInOptions serverOptions, int unstableTail, bool speculate)
    {
        await using var server = await StandInGpuServer.StartAsync(Copy(serverOptions));
        var warmUpGenerations = 0;
        IReadOnlyList<ReplayTurnInput> inputs;
        IReadOnlyList<ReplayTurnResult> results;
        await using (var rig = new ConversationRig(models, server.BaseAddress, speculate))
        {
            Console.Write(speculate ? "speculative run: " : "baseline run:    ");

            // A first turn opens the connection and compiles the code paths; it is left out of the figures.
            var driver = new ReplayDriver(rig, new ScriptedTokenSource(unstableTail), endpointing);
            await driver.RunAsync([corpus[0] with { Seed = corpus[0].Seed ^ 0x5A5A }]);
            warmUpGenerations = server.Generations.Count;
            inputs = await driver.RunAsync(corpus);
            results = ReplayResults.From(rig.Events.Events, inputs);
            Console.WriteLine($"{results.Count} turns, {results.Count(r => r.Failed)} failed");
        }

        // A generation is wasted when its prompt is not the final prompt of any turn: a speculation thrown away.
        var finals = new HashSet<string>(results.Where(r => r.FinalTokenString is not null).Select(r => r.FinalTokenString!), StringComparer.Ordinal);
        var chats = server.Generations.Skip(warmUpGenerations).Where(g => g.Route == "chat").ToList();
        var wasted = chats.Where(c => !finals.Contains(c.UserContent)).ToList();
        var waste = new ServerWaste(wasted.Count, wasted.Sum(c => c.TokensSent), chats.Count(c => c.CachedPromptTokens > 0), chats.Count);
        return (results, waste);
    }

    private static StandInOptions Copy(StandInOptions o) => new()
    {
        FirstTokenDelay = o.FirstTokenDelay,
        FirstTokenJitter = o.FirstTokenJitter,
        JitterSeed = o.JitterSeed,
        TokenInterval = o.TokenInterval,
        TtsTokensPerCharacter = o.TtsTokensPerCharacter,
        PrefixCacheEntries = o.PrefixCacheEntries,
        PrefixCacheDelayShare = o.PrefixCacheDelayShare,
    };

    private static void Describe(IReadOnlyList<ReplayTurnScript> corpus, ReplayCorpusOptions options, EndpointingOptions endpointing, StandInOptions server)
    {
        var pauses = corpus.SelectMany(t => t.InnerPausesMs).ToList();
        Console.WriteLine($"corpus: seed {options.Seed}, {corpus.Count} turns, {corpus.Sum(t => t.Segments.Count(s => s.IsSpeech))} phrases, " +
            $"{pauses.Count} inner pauses ({pauses.Count(p => p < endpointing.PauseMs)} below PauseMs {endpointing.PauseMs} ms, " +
            $"{pauses.Count(p => p >= endpointing.PauseMs && p < endpointing.EndOfTurnMs)} between it and EndOfTurnMs {endpointing.EndOfTurnMs} ms, " +
            $"{pauses.Count(p => p >= endpointing.EndOfTurnMs)} longer)");
        Console.WriteLine($"stand-in: first token {server.FirstTokenDelay.TotalMilliseconds:0}-{(server.FirstTokenDelay + server.FirstTokenJitter).TotalMilliseconds:0} ms, " +
            $"{server.TokenInterval.TotalMilliseconds:0} ms per token, prefix cache {server.PrefixCacheEntries} prompts, {server.PrefixCacheDelayShare:P0} of the delay is prefill");
    }
}
