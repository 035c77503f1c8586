using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StepAudio.Engine.Features;

namespace StepAudio.Benchmarks.Tokenizer;

/// <summary>Throughput of the two tokenizer front-ends on 10 s of audio, streamed in 480-sample frames.</summary>
[MemoryDiagnoser]
[Config(typeof(FrontEndConfig))]
public class FrontEndBenchmarks
{
    private const double Seconds = 10;
    private const int Frame = 480;

    private float[] _audio = [];
    private float[] _fbankOutput = [];
    private KaldiFbank _fbank = null!;
    private WhisperLogMelAccumulator _logMel = null!;
    private float[] _features = [];

    [GlobalSetup]
    public void Setup()
    {
        _audio = BenchmarkAudio.Create(Seconds);
        _fbank = new KaldiFbank();
        _fbankOutput = new float[(Frame / 160 + 2) * 80];
        _logMel = new WhisperLogMelAccumulator();
        _features = new float[WhisperLogMelAccumulator.FrameCountFor(_audio.Length) * WhisperLogMelAccumulator.MelBins];
    }

    /// <summary>vq02's Kaldi fbank over 10 s; the "x real time" column is 10 s / mean.</summary>
    [Benchmark]
    public long KaldiFbank10s()
    {
        _fbank.Reset();
        for (var start = 0; start < _audio.Length; start += Frame)
        {
            _fbank.Accept(_audio.AsSpan(start, Math.Min(Frame, _audio.Length - start)), _fbankOutput);
        }

        return _fbank.FramesEmitted;
    }

    /// <summary>vq06's Whisper log-mel over 10 s, including the per-segment finish.</summary>
    [Benchmark]
    public int WhisperLogMel10s()
    {
        _logMel.Reset();
        for (var start = 0; start < _audio.Length; start += Frame)
        {
            _logMel.Accept(_audio.AsSpan(start, Math.Min(Frame, _audio.Length - start)));
        }

        return _logMel.Finish(_features);
    }

    private sealed class FrontEndConfig : ManualConfig
    {
        public FrontEndConfig() => AddColumn(new RealTimeFactorColumn(Seconds));
    }
}
