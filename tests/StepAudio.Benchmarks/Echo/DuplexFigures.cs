using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using StepAudio.ContractModels.Tokenizer;
using StepAudio.Engine.Echo;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Models;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vad;
using StepAudio.Engine.WakeWord;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Room;

namespace StepAudio.Benchmarks.Echo;

/// <summary>
/// The quality figures of full duplex, measured in the simulated room per filter length and shown as
/// columns beside the cost: ERLE (dB, echo-only, after 2 s of convergence, mean over the corpus),
/// barge-in latency (frames from the user's first sample to the stop) and self-barge-ins over the
/// reply corpus (goal 0). Computed once per filter length in the host process.
/// </summary>
internal static class DuplexFigures
{
    public const int AcousticDelaySamples = 640;

    private static readonly ConcurrentDictionary<int, (double Erle, double LatencyFrames, int SelfBargeIns)> s_figures = new();

    /// <summary>The reply corpus: every voice of <see cref="RoomReplies"/>.</summary>
    public static float[] Corpus()
    {
        var replies = new float[RoomReplies.Voices][];
        for (var voice = 0; voice < replies.Length; voice++)
        {
            replies[voice] = RoomReplies.Reply(voice);
        }

        return SpeechClips.Concat(replies);
    }

    public static (double Erle, double LatencyFrames, int SelfBargeIns) For(int filterLengthMs) =>
        s_figures.GetOrAdd(filterLengthMs, Measure);

    private static (double, double, int) Measure(int filterLengthMs)
    {
        var options = new EchoCancellerOptions { FilterLengthMs = filterLengthMs };
        var erle = 0.0;
        for (var voice = 0; voice < RoomReplies.Voices; voice++)
        {
            erle += Erle(RoomReplies.Reply(voice), options, voice + 1);
        }

        var models = new ModelStore(ModelStore.DefaultCacheDirectory());
        var factory = new OnnxSessionFactory();
        var contract = Path.Combine(Path.GetTempPath(), $"stepaudio-bench-duplex-{Guid.NewGuid():N}");
        TokenizerContractModels.WriteAll(contract);
        try
        {
            using var wakeWord = WakeWordDetector.Load(
                models.GetVerifiedPath("oww-melspectrogram"), models.GetVerifiedPath("oww-embedding"),
                [("hey_jarvis", models.GetVerifiedPath("oww-hey-jarvis"))], new WakeWordOptions(), factory);
            using var vad = SileroVad.Load(models.GetVerifiedPath("silero-vad-v5"), factory);
            using var tokenizer = DualCodebookTokenizer.Load(new TokenizerOptions { ModelDirectory = contract }, factory);

            int selfBargeIns;
            using (var rig = new DuplexRoomRig(wakeWord, vad, tokenizer, options, new BargeInOptions(), AcousticDelaySamples))
            {
                for (var voice = 0; voice < RoomReplies.Voices; voice++)
                {
                    rig.Playback.Enqueue(RoomReplies.Reply(voice));
                    rig.RunUntilPlayed(tailMs: 600);
                }

                selfBargeIns = rig.Received.Count(s => s.Kind == TurnSignalKind.BargeIn);
            }

            var latency = 0.0;
            string[] interruptions = ["Wait, stop, I meant the weather for tomorrow.", "No no, turn the music down instead please."];
            foreach (var words in interruptions)
            {
                using var rig = new DuplexRoomRig(wakeWord, vad, tokenizer, options, new BargeInOptions(), AcousticDelaySamples);
                rig.Playback.Enqueue(RoomReplies.Reply(0));
                rig.Run(2500);
                var onset = rig.Say(SpeechClips.Synthesize(words, "en-gb", 160, 0.5f));
                rig.Run(3000);
                latency += rig.Playback.FirstStopAt is { } stop ? (stop - onset) / (double)ListeningLoop.FrameSamples : double.NaN;
            }

            return (erle / RoomReplies.Voices, latency / interruptions.Length, selfBargeIns);
        }
        finally
        {
            Directory.Delete(contract, recursive: true);
        }
    }

    private static double Erle(float[] reply, EchoCancellerOptions options, int seed)
    {
        const int frame = 512;
        var room = new SimulatedRoom(RoomImpulseResponse.Synthesize(AcousticDelaySamples, seed: seed), seed: seed);
        var reference = PlaybackReference.FromOptions(options);
        using var stage = new EchoStage(options, reference);
        var frames = reply.Length / frame;
        var echo = new float[frames * frame];
        var residual = new float[frames * frame];
        var captured = new float[frame];
        for (var f = 0; f < frames; f++)
        {
            var played = reply.AsSpan(f * frame, frame);
            reference.Write(played);
            room.Capture(played, captured, echo.AsSpan(f * frame, frame));
            stage.Process(captured, residual.AsSpan(f * frame, frame));
        }

        return EchoMeasures.ErleDb(echo.AsSpan(32000), residual.AsSpan(32000));
    }

    /// <summary>Adds the three figures as columns.</summary>
    internal sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(
                new FigureColumn("ERLE dB", "Echo return loss enhancement after 2 s, mean over the reply corpus", f => For(f).Erle.ToString("F1", CultureInfo.InvariantCulture)),
                new FigureColumn("Barge-in frames", "32 ms frames from the user's first sample to the playback stop", f => For(f).LatencyFrames.ToString("F1", CultureInfo.InvariantCulture)),
                new FigureColumn("Self barge-ins", "Interruptions by the device's own voice over the reply corpus", f => For(f).SelfBargeIns.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private sealed class FigureColumn(string name, string legend, Func<int, string> value) : IColumn
    {
        public string Id => "DuplexFigure" + name;

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => legend;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var filter = benchmarkCase.Parameters[nameof(EchoCancellerBenchmarks.FilterLengthMs)];
            return filter is int milliseconds ? value(milliseconds) : "-";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
