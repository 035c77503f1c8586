using BenchmarkDotNet.Attributes;
using StepAudio.Appliance.Storage;
using StepAudio.ContractModels.Tokenizer;
using StepAudio.ContractModels.Vocoder;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;

namespace StepAudio.Benchmarks.Voice;

/// <summary>
/// What a speaker prompt costs at start: <see cref="Computed"/> is a cache miss (resampling, trimming,
/// the tokenizer, CAM++ and the prompt mel, with the contract models), <see cref="CacheHit"/> reads the
/// entry back (hashing the WAV, reading and checking the entry). With the real tokenizer and CAM++ a miss
/// costs far more; a hit costs the same.
/// </summary>
[MemoryDiagnoser]
public class SpeakerPromptStoreBenchmarks : IDisposable
{
    private string _root = string.Empty;
    private DualCodebookTokenizer? _tokenizer;
    private StreamingVocoder? _vocoder;
    private SpeakerPromptStore? _store;
    private SpeakerPromptSource? _source;
    private WavAudio? _wav;
    private string _vocoderIdentity = string.Empty;

    [Params(5.0)]
    public double PromptSeconds { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), $"stepaudio_voice_bench_{Guid.NewGuid():N}");
        TokenizerContractModels.WriteAll(_root);
        VocoderContractModels.WriteAll(_root);
        var factory = new OnnxSessionFactory();
        var tokenizerOptions = new TokenizerOptions { ModelDirectory = _root };
        var vocoderOptions = new VocoderOptions { ModelDirectory = _root, NoiseSeed = 1 };
        _tokenizer = DualCodebookTokenizer.Load(tokenizerOptions, factory);
        _vocoder = StreamingVocoder.Load(vocoderOptions, factory);
        _vocoderIdentity = ModelFingerprint.OfVocoder(vocoderOptions);

        var wavPath = Path.Combine(_root, "prompt.wav");
        WavFile.Write(wavPath, Voiced(PromptSeconds, 22050), 22050, 1);
        _wav = WavFile.Read(wavPath);
        _source = new SpeakerPromptSource("speaker", wavPath, "A five second prompt.");
        _store = new SpeakerPromptStore(Path.Combine(_root, "cache"), AtomicFileWriter.Instance, new DualCodebookPromptTokenizer(_tokenizer), ModelFingerprint.OfTokenizer(tokenizerOptions));
        _store.GetAsync(_source, _vocoder, _vocoderIdentity).GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Computed()
    {
        var asset = await SpeakerPromptAnalysis.ComputeAsync(_wav!, _source!.PromptWav, new DualCodebookPromptTokenizer(_tokenizer!), _vocoder!);
        return asset.MelFrames;
    }

    [Benchmark]
    public async Task<int> CacheHit()
    {
        var asset = await _store!.GetAsync(_source!, _vocoder!, _vocoderIdentity);
        return asset.MelFrames;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _vocoder?.Dispose();
        _tokenizer?.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private static float[] Voiced(double seconds, int rate)
    {
        var samples = new float[(int)(seconds * rate)];
        for (var n = 0; n < samples.Length; n++)
        {
            var t = (double)n / rate;
            var envelope = Math.Max(0, Math.Sin(Math.PI * 4 * t));
            var voiced = 0.0;
            for (var h = 1; h <= 8; h++)
            {
                voiced += Math.Sin(2 * Math.PI * 140 * h * t) / h;
            }

            samples[n] = (float)(0.3 * envelope * voiced);
        }

        return samples;
    }
}
