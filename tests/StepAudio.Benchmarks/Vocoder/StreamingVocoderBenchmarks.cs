using BenchmarkDotNet.Attributes;
using StepAudio.ContractModels.Vocoder;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Benchmarks.Vocoder;

/// <summary>
/// The vocoder stage on CPU with the contract models. <see cref="FirstAudio"/> is the time from the first
/// audio id to the first PCM chunk (ids already available, so it is compute, not waiting).
/// <see cref="WholeUtterance"/> and <see cref="Streamed"/> vocode <see cref="Groups"/> groups of ids
/// (<see cref="AudioSeconds"/> of audio): real-time factor = mean time / AudioSeconds.
/// <see cref="WarmChunk"/> runs one warm non-final chunk: its Allocated column is bytes per chunk.
/// </summary>
[MemoryDiagnoser]
public class StreamingVocoderBenchmarks : IDisposable
{
    private string _root = string.Empty;
    private StreamingVocoder? _vocoder;
    private VocoderSession? _session;
    private int[] _ids = [];
    private int[] _oneChunkIds = [];

    [Params(100)]
    public int Groups { get; set; }

    /// <summary>Audio length of <see cref="Groups"/> groups (120 ms each).</summary>
    public double AudioSeconds => Groups * 0.12;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), $"stepaudio_vocoder_bench_{Guid.NewGuid():N}");
        VocoderContractModels.WriteAll(_root);
        _vocoder = StreamingVocoder.Load(new VocoderOptions { ModelDirectory = _root, NoiseSeed = 1 }, new OnnxSessionFactory());
        var profile = _vocoder.Profile;
        var random = new Random(3);
        int[] Ids(int count)
        {
            var ids = new int[count];
            for (var i = 0; i < count; i++)
            {
                ids[i] = i % 5 < 2 ? random.Next(1024) : 1024 + random.Next(4096);
            }

            return ids;
        }

        var promptIds = Ids(50);
        var promptTokens = FlowTokenMapper.MapAll(profile.TokenLayout, promptIds);
        var frames = profile.FramesForTokens(promptTokens.Length);
        var mel = new float[frames * profile.MelBins];
        Array.Fill(mel, -5f);
        var fbank = new float[100 * StreamingVocoder.FbankBins];
        for (var i = 0; i < fbank.Length; i++)
        {
            fbank[i] = MathF.Sin(i * 0.3f);
        }

        _session = _vocoder.StartSession(new SpeakerPrompt(promptTokens, mel, frames, _vocoder.EmbedSpeaker(fbank, 100)));
        _ids = Ids(Groups * 5);
        var chunking = _vocoder.Chunking;
        _oneChunkIds = Ids(chunking.FirstChunkTokens + chunking.OverlapTokens);
        Streamed().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public async ValueTask<int> FirstAudio()
    {
        await using var chunks = _session!.SynthesizeAsync(Source(_ids), CancellationToken.None).GetAsyncEnumerator();
        return await chunks.MoveNextAsync() ? chunks.Current.Length : 0;
    }

    [Benchmark]
    public async ValueTask<int> WarmChunk()
    {
        // Exactly enough ids for the first chunk; the enumerator is abandoned before the final flush.
        await using var chunks = _session!.SynthesizeAsync(Source(_oneChunkIds), CancellationToken.None).GetAsyncEnumerator();
        return await chunks.MoveNextAsync() ? chunks.Current.Length : 0;
    }

    [Benchmark]
    public int WholeUtterance() => _session!.SynthesizeAll(_ids).Length;

    [Benchmark]
    public async ValueTask<int> Streamed()
    {
        var samples = 0;
        await foreach (var chunk in _session!.SynthesizeAsync(Source(_ids), CancellationToken.None))
        {
            samples += chunk.Length;
        }

        return samples;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _session?.Dispose();
        _vocoder?.Dispose();
        _session = null;
        _vocoder = null;
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

#pragma warning disable CS1998 // A synchronous source: the ids are already there, as when the TTS runs ahead.
    private static async IAsyncEnumerable<int> Source(int[] ids)
#pragma warning restore CS1998
    {
        foreach (var id in ids)
        {
            yield return id;
        }
    }
}
