using BenchmarkDotNet.Attributes;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Models;
using StepAudio.Engine.Vad;
using StepAudio.Engine.WakeWord;

namespace StepAudio.Benchmarks.Listening;

/// <summary>
/// The always-on cost: wake word (mel + embedding + head every 80 ms) and Silero VAD (every
/// 32 ms) on 160 ms of audio, the least common multiple of their framings. CPU per second of
/// audio = mean x 6.25. Target: at most 20 ms per second on one core, 0 bytes allocated.
/// "Quiet room" is the usual state (the VAD keeps the embedding stage closed); "voice" is the
/// cost while someone talks (every stage runs).
/// </summary>
[MemoryDiagnoser]
public class AlwaysOnBenchmarks
{
    private readonly float[] _audio = new float[2560];
    private WakeWordDetector _wakeWord = null!;
    private SileroVad _vad = null!;

    [GlobalSetup]
    public void Setup()
    {
        var store = new ModelStore(ModelStore.DefaultCacheDirectory());
        var factory = new OnnxSessionFactory();
        _wakeWord = WakeWordDetector.Load(
            store.GetVerifiedPath("oww-melspectrogram"),
            store.GetVerifiedPath("oww-embedding"),
            [("hey_jarvis", store.GetVerifiedPath("oww-hey-jarvis"))],
            new WakeWordOptions(),
            factory);
        _vad = SileroVad.Load(store.GetVerifiedPath("silero-vad-v5"), factory);
        var random = new Random(5);
        for (var i = 0; i < _audio.Length; i++)
        {
            _audio[i] = (float)Math.Sin(i * 0.05) * 0.2f + ((float)random.NextDouble() - 0.5f) * 0.02f;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _wakeWord.Dispose();
        _vad.Dispose();
    }

    [Benchmark(Description = "wake word + VAD, 160 ms, voice (gate open)")]
    public float WakeWordAndVad160MsVoice()
    {
        _wakeWord.Process(_audio, voiceLikely: true, out _);
        var p = 0f;
        for (var i = 0; i < 5; i++)
        {
            p += _vad.Process(_audio.AsSpan(i * 512, 512));
        }

        return p;
    }

    [Benchmark(Description = "wake word + VAD, 160 ms, quiet room (gate closed)")]
    public float WakeWordAndVad160MsQuietRoom()
    {
        _wakeWord.Process(_audio, voiceLikely: false, out _);
        var p = 0f;
        for (var i = 0; i < 5; i++)
        {
            p += _vad.Process(_audio.AsSpan(i * 512, 512));
        }

        return p;
    }

    [Benchmark(Description = "VAD, one 32 ms frame")]
    public float VadFrame() => _vad.Process(_audio.AsSpan(0, 512));

    [Benchmark(Description = "wake word, one 80 ms chunk")]
    public bool WakeWordChunk() => _wakeWord.Process(_audio.AsSpan(0, 1280), out _);
}
