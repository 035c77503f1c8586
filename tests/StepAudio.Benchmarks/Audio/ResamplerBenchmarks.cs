using BenchmarkDotNet.Attributes;
using StepAudio.Engine.Audio;

namespace StepAudio.Benchmarks.Audio;

/// <summary>One second of audio through the streaming resampler, in the chunk sizes the pipeline uses.</summary>
[MemoryDiagnoser]
public class ResamplerBenchmarks
{
    private const int CaptureChunk = 1280 * 3; // 80 ms at 48 kHz: the 1280-sample 16 kHz frame, before downsampling
    private const int VocoderChunk = 1024;

    private PolyphaseResampler _down = null!;
    private PolyphaseResampler _up = null!;
    private float[] _capture = null!;
    private float[] _speech = null!;
    private float[] _downOutput = null!;
    private float[] _upOutput = null!;

    [GlobalSetup]
    public void Setup()
    {
        _down = new PolyphaseResampler(48000, 16000);
        _up = new PolyphaseResampler(22050, 48000);
        _capture = Tone(48000);
        _speech = Tone(22050);
        _downOutput = new float[_down.MaxOutputFor(CaptureChunk)];
        _upOutput = new float[_up.MaxOutputFor(VocoderChunk)];
    }

    /// <summary>48 kHz microphone to 16 kHz model input, 1 s in 80 ms chunks.</summary>
    [Benchmark]
    public int Downsample48kTo16kOneSecond() => Run(_down, _capture, CaptureChunk, _downOutput);

    /// <summary>22.05 kHz vocoder output to 48 kHz playback, 1 s in 1024-sample chunks.</summary>
    [Benchmark]
    public int Upsample22050To48kOneSecond() => Run(_up, _speech, VocoderChunk, _upOutput);

    private static int Run(PolyphaseResampler resampler, float[] input, int chunk, float[] output)
    {
        var written = 0;
        for (var start = 0; start < input.Length; start += chunk)
        {
            written += resampler.Process(input.AsSpan(start, Math.Min(chunk, input.Length - start)), output);
        }

        return written;
    }

    private static float[] Tone(int rate)
    {
        var tone = new float[rate];
        for (var i = 0; i < tone.Length; i++)
        {
            tone[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 440 * i / rate));
        }

        return tone;
    }
}
