using System.Numerics;
using BenchmarkDotNet.Attributes;
using StepAudio.Engine.Audio;

namespace StepAudio.Benchmarks.Audio;

/// <summary>One second of a 4-microphone, 16 kHz array reduced to mono in 256-frame capture periods.</summary>
[MemoryDiagnoser]
public class ChannelSelectionBenchmarks
{
    private const int Rate = 16_000;
    private const int Channels = 4;
    private const int Period = 256;

    private ChannelSelection _mix = null!;
    private ChannelSelection _pair = null!;
    private ChannelSelection _beam = null!;
    private float[] _input = null!;
    private float[] _mono = null!;

    [GlobalSetup]
    public void Setup()
    {
        _mix = ChannelSelection.Mix(Channels);
        _pair = ChannelSelection.Channels(Channels, [1, 2]);
        Vector3[] positions = [new(0, 0, 0), new(0.035f, 0, 0), new(0.07f, 0, 0), new(0.105f, 0, 0)];
        _beam = ChannelSelection.Beam(new DelayAndSumBeamformer(Rate, positions, 37f));
        _input = new float[Rate * Channels];
        for (var i = 0; i < _input.Length; i++)
        {
            _input[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 440 * (i / Channels) / Rate));
        }

        _mono = new float[Period];
    }

    [Benchmark(Baseline = true)]
    public int MixOneSecond() => Run(_mix);

    [Benchmark]
    public int TwoChannelAverageOneSecond() => Run(_pair);

    /// <summary>The beam's per-channel fractional-delay FIRs (32 + 2 taps here).</summary>
    [Benchmark]
    public int BeamOneSecond() => Run(_beam);

    private int Run(ChannelSelection selection)
    {
        var frames = 0;
        for (var start = 0; start < _input.Length; start += Period * Channels)
        {
            frames += selection.Process(_input.AsSpan(start, Math.Min(Period * Channels, _input.Length - start)), _mono);
        }

        return frames;
    }
}
