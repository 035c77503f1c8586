using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StepAudio.ContractModels.Vocoder;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Vocoder.Flow;

namespace StepAudio.Benchmarks.Vocoder;

/// <summary>
/// The vocoder stage on CPU with the contract models, for each profile.
/// <see cref="FirstPcmAtRealRate"/> (the main figure): ids arrive at the rate a real-time TTS model emits
/// them (<see cref="VocoderProfile.AudioIdRate"/>, 41.67 ids/s), the first at time 0; the operation ends
/// when the first PCM chunk is out, so its mean is the time from the first audio id to the first sample.
/// <see cref="FirstPcmCompute"/>: the same with every id already there (the vocoder's own share).
/// <see cref="WholeUtterance"/>, <see cref="Streamed"/> and <see cref="StreamedSync"/> vocode
/// <see cref="Groups"/> groups of ids; the RTF column is compute seconds per audio second.
/// <see cref="StreamedSync"/> is the synchronous chunk path on a warm session: its Allocated column
/// covers every chunk of the utterance (bytes per chunk = that over the chunk count).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class StreamingVocoderBenchmarks : IDisposable
{
    /// <summary>Groups of 5 ids per utterance (12 s of speech).</summary>
    public const int Groups = 100;

    private string _root = string.Empty;
    private StreamingVocoder? _vocoder;
    private VocoderSession? _session;
    private int[] _ids = [];
    private double _idRate;

    [Params("v1", "v2")]
    public string Profile { get; set; } = "v1";

    /// <summary>Seconds of audio <see cref="Groups"/> groups vocode to under a contract profile.</summary>
    public static double AudioSecondsOf(string profile)
    {
        var json = profile == "v2" ? VocoderContractModels.V2ProfileJson : VocoderContractModels.V1ProfileJson;
        var parsed = VocoderProfile.Parse(json, profile);
        var steps = parsed.TokenLayout == FlowTokenLayout.Interleaved ? Groups * 5 : Groups * 3;
        return parsed.FramesForTokens(steps) * parsed.Hop / (double)parsed.SampleRate;
    }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), $"stepaudio_vocoder_bench_{Guid.NewGuid():N}");
        VocoderContractModels.WriteAll(_root);
        _vocoder = StreamingVocoder.Load(new VocoderOptions { ModelDirectory = _root, Profile = Profile, NoiseSeed = 1 }, new OnnxSessionFactory());
        var profile = _vocoder.Profile;
        _idRate = profile.AudioIdRate;
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

        var promptTokens = FlowTokenMapper.MapAll(profile.TokenLayout, Ids(50));
        var frames = profile.FramesForTokens(promptTokens.Length / profile.TokenWidth);
        var mel = new float[frames * profile.MelBins];
        Array.Fill(mel, -5f);
        var fbank = new float[100 * StreamingVocoder.FbankBins];
        for (var i = 0; i < fbank.Length; i++)
        {
            fbank[i] = MathF.Sin(i * 0.3f);
        }

        _session = _vocoder.StartSession(new SpeakerPrompt(promptTokens, mel, frames, _vocoder.EmbedSpeaker(fbank, 100)));
        _ids = Ids(Groups * 5);
        StreamedSync();
    }

    [Benchmark]
    public async ValueTask<int> FirstPcmAtRealRate()
    {
        await using var chunks = _session!.SynthesizeAsync(Paced(_ids, _idRate), CancellationToken.None).GetAsyncEnumerator();
        return await chunks.MoveNextAsync() ? chunks.Current.Length : 0;
    }

    [Benchmark]
    public async ValueTask<int> FirstPcmCompute()
    {
        await using var chunks = _session!.SynthesizeAsync(Ready(_ids), CancellationToken.None).GetAsyncEnumerator();
        return await chunks.MoveNextAsync() ? chunks.Current.Length : 0;
    }

    [Benchmark]
    public int WholeUtterance() => _session!.SynthesizeAll(_ids).Length;

    [Benchmark]
    public async ValueTask<int> Streamed()
    {
        var samples = 0;
        await foreach (var chunk in _session!.SynthesizeAsync(Ready(_ids), CancellationToken.None))
        {
            samples += chunk.Length;
        }

        return samples;
    }

    [Benchmark]
    public int StreamedSync()
    {
        var session = _session!;
        var samples = 0;
        session.Begin();
        foreach (var id in _ids)
        {
            session.Append(id);
            while (session.TryRunChunk(out var pcm))
            {
                samples += pcm.Length;
            }
        }

        return samples + session.Finish().Length;
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

    /// <summary>Id i is released at i / rate seconds after the first: a timer wait, then a short spin for the last millisecond.</summary>
    private static async IAsyncEnumerable<int> Paced(int[] ids, double rate)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < ids.Length; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            var wait = due - clock.Elapsed - TimeSpan.FromMilliseconds(1.5);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            while (clock.Elapsed < due)
            {
                Thread.SpinWait(20);
            }

            yield return ids[i];
        }
    }

#pragma warning disable CS1998 // A synchronous source: the ids are already there, as when the TTS runs ahead.
    private static async IAsyncEnumerable<int> Ready(int[] ids)
#pragma warning restore CS1998
    {
        foreach (var id in ids)
        {
            yield return id;
        }
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new VocoderRealTimeFactorColumn());
    }
}
