using System.Diagnostics;
using System.Globalization;
using System.Text;
using StepAudio.Benchmarks.Tokenizer;
using StepAudio.Engine.Features;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Benchmarks.Models;

/// <summary>
/// What Step-Audio's networks cost on this machine, measured in place over an exported model directory
/// (engine/models/export/export.py; the full random set for real sizes): vq02 per 240 ms chunk, vq06 per second of
/// audio, the end of a 5 s turn to its token string, the flow's first chunk and real-time factor, HiFT's real-time
/// factor, first audio id to first PCM, and the resident memory with everything loaded. Wall-clock medians over
/// repeats after a warm-up; one intra-op thread per model unless --threads says otherwise, as the device runs them.
/// </summary>
internal static class StepAudioModelBench
{
    private const int Repeats = 3;

    // dotnet run -c Release --project tests/StepAudio.Benchmarks -- models --dir DIR [--provider cpu|cuda] [--threads N] [--markdown FILE]
    public static async Task<int> RunAsync(string[] args)
    {
        string? dir = null, markdown = null;
        var provider = ExecutionTarget.Cpu;
        var threads = 1;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dir": dir = args[++i]; break;
                case "--provider": provider = Enum.Parse<ExecutionTarget>(args[++i], ignoreCase: true); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--markdown": markdown = args[++i]; break;
                default: Console.Error.WriteLine($"models bench: unknown argument {args[i]}"); return 2;
            }
        }

        if (dir is null || !Directory.Exists(dir))
        {
            Console.Error.WriteLine($"models bench: --dir must name an exported model directory (got '{dir}').");
            return 2;
        }

        var inference = new InferenceOptions { Provider = provider, IntraOpThreads = threads, InterOpThreads = 1 };
        var factory = new OnnxSessionFactory();
        var load = Stopwatch.StartNew();
        using var tokenizer = DualCodebookTokenizer.Load(new TokenizerOptions { ModelDirectory = dir, Inference = inference }, factory);
        using var vocoder = StreamingVocoder.Load(new VocoderOptions { ModelDirectory = dir, Inference = inference, NoiseSeed = 7 }, factory);
        load.Stop();
        var rows = new List<(string Name, string Value, string Note)>();
        var providers = $"vq02 {tokenizer.Encoder.Provider}, vq06 {tokenizer.Vq06.Provider}, vocoder {string.Join(", ", vocoder.ModelProviders.Select(p => $"{p.Key} {p.Value}"))}";

        // vq02: front-end and encoder per 3840-sample chunk over a 5 s turn.
        var turn = BenchmarkAudio.Create(5.0);
        var normalised = new float[turn.Length];
        AudioConditioner.PeakNormalise(turn, normalised);
        var chunkMs = Median(Enumerable.Range(0, Repeats + 1).Select(_ => Vq02PerChunk(tokenizer, normalised)).Skip(1));
        rows.Add(("vq02 per 240 ms chunk (front-end + encoder)", $"{chunkMs:F1} ms", $"{chunkMs / 240:F3} of real time"));

        // vq06: the Whisper log-mel and the model over one 5 s segment.
        var vq06Ms = Median(Enumerable.Range(0, Repeats + 1).Select(_ => Time(() =>
        {
            var features = WhisperLogMelAccumulator.Compute(normalised, out var frames);
            tokenizer.Vq06.Run(features, frames);
        })).Skip(1)) / 5.0;
        rows.Add(("vq06 per second of audio (log-mel + model)", $"{vq06Ms:F1} ms", $"{vq06Ms / 1000:F3} of real time"));

        // The end of a 5 s turn: the audio was appended as it arrived; the last piece, vq06 and the merge remain.
        var endOfTurn = new List<double>();
        for (var r = 0; r <= Repeats; r++)
        {
            using var session = tokenizer.StartSession();
            for (var offset = 0; offset < turn.Length; offset += 320)
            {
                session.Append(turn.AsSpan(offset, Math.Min(320, turn.Length - offset)));
            }

            await session.SnapshotAsync(CancellationToken.None); // the pieces so far are encoded, as during the turn
            var watch = Stopwatch.StartNew();
            var tokens = await session.CompleteAsync(CancellationToken.None);
            _ = tokens.ToTokenString();
            endOfTurn.Add(watch.Elapsed.TotalMilliseconds);
        }

        var eot = Median(endOfTurn.Skip(1));
        rows.Add(("end of a 5 s turn to its token string", $"{eot:F0} ms", "vq02 tail + vq06 of 5 s + merge"));

        // The vocoder: 10 s of audio ids at the rate the profile implies (its token rate and layout) on a 3 s prompt.
        var idRate = vocoder.Profile.AudioIdRate;
        var ids = AudioIds((int)Math.Round(10 * idRate));
        var promptIds = AudioIds(125, seed: 5);
        var promptFrames = (int)(3.0 * vocoder.SampleRate / vocoder.Profile.Hop);
        var prompt = new SpeakerPrompt(promptIds, PromptMel(promptFrames), promptFrames, Embedding());
        using var voice = vocoder.StartSession(prompt);
        voice.SynthesizeAll(ids.AsSpan(0, 50)); // warm-up of every graph and shape path
        var (mel, melFrames) = voice.SynthesizeMelAll(ids);
        var seconds = melFrames * vocoder.Profile.Hop / (double)vocoder.SampleRate;
        var flowMs = Median(Enumerable.Range(0, Repeats).Select(_ => Time(() => voice.SynthesizeMelAll(ids))));
        var hiftMs = Median(Enumerable.Range(0, Repeats).Select(_ => Time(() => voice.DecodeAll(mel, melFrames))));
        rows.Add(($"flow real-time factor (whole {seconds:F0} s utterance, {vocoder.Profile.FlowSteps} Euler steps, CFG)", $"{flowMs / 1000 / seconds:F3}", $"{flowMs:F0} ms for {seconds:F1} s"));
        rows.Add(($"HiFT real-time factor (whole {seconds:F0} s utterance)", $"{hiftMs / 1000 / seconds:F3}", $"{hiftMs:F0} ms for {seconds:F1} s"));

        // First chunk: the ids it needs arrive at once; its compute is what the first PCM waits for beyond them.
        var first = new List<double>();
        for (var r = 0; r <= Repeats; r++)
        {
            voice.Begin();
            var watch = Stopwatch.StartNew();
            ReadOnlyMemory<float> pcm = default;
            var appended = 0;
            while (pcm.IsEmpty && appended < ids.Length)
            {
                voice.Append(ids[appended++]);
                voice.TryRunChunk(out pcm);
            }

            first.Add(watch.Elapsed.TotalMilliseconds);
            voice.Finish();
        }

        var firstMs = Median(first.Skip(1));
        var needed = vocoder.Chunking.TokensBeforeFirstChunk;
        rows.Add(("flow + HiFT first chunk (ids already in)", $"{firstMs:F0} ms", $"{needed} ids"));
        var waitMs = needed / idRate * 1000;
        rows.Add(($"first audio id to first PCM, ids at {idRate:F2}/s", $"{waitMs + firstMs:F0} ms", $"{waitMs:F0} ms waiting for ids + the first chunk"));

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        rows.Add(("resident memory, everything loaded", $"{process.WorkingSet64 / (1024.0 * 1024):F0} MiB", $"load {load.Elapsed.TotalSeconds:F1} s"));

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Step-Audio models in {dir}: {Describe(dir)}; {Environment.ProcessorCount} cores, {provider} provider ({providers}), {threads} intra-op thread(s)");
        report.AppendLine();
        report.AppendLine("| measure | value | note |");
        report.AppendLine("|---|---|---|");
        foreach (var (name, value, note) in rows)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value} | {note} |");
        }

        Console.Write(report.ToString());
        if (markdown is not null)
        {
            File.WriteAllText(markdown, report.ToString());
        }

        return 0;
    }

    private static double Vq02PerChunk(DualCodebookTokenizer tokenizer, float[] normalised)
    {
        var pipeline = new Vq02FeaturePipeline(tokenizer.Cmvn);
        var state = tokenizer.Encoder.CreateState();
        var frames = new float[Vq02FeaturePipeline.MaxFramesPerPiece * Vq02Encoder.InputDim];
        var output = new float[Vq02FeaturePipeline.MaxFramesPerPiece * Vq02Encoder.OutputDim];
        var chunks = normalised.Length / Vq02FeaturePipeline.PieceSamples;
        var watch = Stopwatch.StartNew();
        for (var c = 0; c < chunks; c++)
        {
            var count = pipeline.ProcessPiece(normalised.AsSpan(c * Vq02FeaturePipeline.PieceSamples, Vq02FeaturePipeline.PieceSamples), false, frames);
            if (count > 0)
            {
                tokenizer.Encoder.Run(frames.AsSpan(0, count * Vq02Encoder.InputDim), count, state, output);
            }
        }

        return watch.Elapsed.TotalMilliseconds / chunks;
    }

    private static int[] AudioIds(int count, int seed = 3)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => i % 5 < 2 ? random.Next(1024) : 1024 + random.Next(4096)).ToArray();
    }

    private static float[] PromptMel(int frames)
    {
        var random = new Random(11);
        return Enumerable.Range(0, frames * 80).Select(_ => (float)(-6 + (2 * random.NextDouble()))).ToArray();
    }

    private static float[] Embedding()
    {
        var random = new Random(13);
        return Enumerable.Range(0, 192).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    private static string Describe(string dir)
    {
        var manifest = Path.Combine(dir, ExportManifest.FileName);
        if (!File.Exists(manifest))
        {
            return "no export manifest";
        }

        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifest));
        var root = document.RootElement;
        var source = root.GetProperty("source");
        var kind = source.TryGetProperty("weights", out _) ? "real weights" : $"{source.GetProperty("size").GetString()} random (seed {source.GetProperty("random").GetInt32()})";
        var parameters = string.Join(", ", root.GetProperty("models").EnumerateObject().Select(m => $"{m.Name} {m.Value.GetProperty("parameters").GetInt64() / 1e6:F1} M"));
        return $"{kind}; parameters {parameters}";
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }
}
