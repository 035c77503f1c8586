using BenchmarkDotNet.Attributes;
using StepAudio.Engine.Audio;

namespace StepAudio.Benchmarks.Audio;

/// <summary>Decoding a 10 s, 16-bit stereo 48 kHz WAV held in memory (a typical test prompt or capture).</summary>
[MemoryDiagnoser]
public class WavParseBenchmarks
{
    private MemoryStream _image = null!;

    [GlobalSetup]
    public void Setup()
    {
        var samples = new float[48000 * 10 * 2];
        var random = new Random(1);
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)((random.NextDouble() * 2) - 1) * 0.5f;
        }

        _image = new MemoryStream();
        WavFile.Write(_image, samples, 48000, 2);
    }

    [GlobalCleanup]
    public void Cleanup() => _image.Dispose();

    [Benchmark]
    public int ParsePcm16Stereo10s()
    {
        _image.Position = 0;
        return WavFile.Read(_image).FrameCount;
    }
}
