using BenchmarkDotNet.Attributes;
using StepAudio.ContractModels.Tokenizer;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tokenizer;

namespace StepAudio.Benchmarks.Tokenizer;

/// <summary>
/// The streaming tokenizer on contract models: the audio loop's per-frame cost of
/// <see cref="TokenizerSession.Append"/> (expected: 0 bytes allocated on the calling thread; the
/// encoding runs on the session's worker), and the end-of-turn latency from
/// <see cref="TokenizerSession.CompleteAsync"/> to the token string after 5 s of streamed speech.
/// </summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private const int Frame = 480;
    private const int FramesPerInvoke = 500;

    private string _directory = string.Empty;
    private DualCodebookTokenizer _tokenizer = null!;
    private float[] _audio = [];
    private TokenizerSession? _session;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("tokenizer-bench-").FullName;
        TokenizerContractModels.WriteAll(_directory);
        _tokenizer = DualCodebookTokenizer.Load(
            new TokenizerOptions { ModelDirectory = _directory, Inference = new InferenceOptions(), MaxUtteranceSeconds = 60 },
            new OnnxSessionFactory());
        _audio = BenchmarkAudio.Create(FramesPerInvoke * Frame / (double)BenchmarkAudio.SampleRate, seed: 2);
    }

    [IterationSetup(Target = nameof(AppendFrame))]
    public void StartAppendSession()
    {
        _session?.Dispose();
        _session = _tokenizer.StartSession();
        _session.Append(_audio.AsSpan(0, Frame));
    }

    /// <summary>One 30 ms frame appended (per operation), as the audio loop does.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke - 1)]
    [InvocationCount(1)]
    public int AppendFrame()
    {
        var session = _session!;
        for (var f = 1; f < FramesPerInvoke; f++)
        {
            session.Append(_audio.AsSpan(f * Frame, Frame));
        }

        return session.SampleCount;
    }

    [IterationSetup(Target = nameof(EndOfTurnToTokenString))]
    public void StreamFiveSeconds()
    {
        _session?.Dispose();
        _session = _tokenizer.StartSession();
        var fiveSeconds = 5 * BenchmarkAudio.SampleRate;
        var audio = BenchmarkAudio.Create(5.1, seed: 3);
        for (var start = 0; start + Frame <= fiveSeconds + 100; start += Frame)
        {
            _session.Append(audio.AsSpan(start, Frame));
        }

        // Let the worker catch up, as it does while the user is still speaking.
        _session.SnapshotAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>End of turn: the final vq02 piece, the vq06 segment run, the merge, the string.</summary>
    [Benchmark]
    [InvocationCount(1)]
    public async Task<string> EndOfTurnToTokenString()
    {
        var tokens = await _session!.CompleteAsync(CancellationToken.None);
        return tokens.ToTokenString();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session?.Dispose();
        _tokenizer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
