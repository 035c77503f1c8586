using BenchmarkDotNet.Attributes;
using StepAudio.Engine.Audio;

namespace StepAudio.Benchmarks.Audio;

/// <summary>
/// One second of audio through the streaming resampler, in the chunk sizes the pipeline uses, beside SpeexDSP's
/// resampler at its default quality (4) and at its best (10) on the same chunks. The setup prints how far each one
/// puts a tone above the new Nyquist frequency down (aliasing), so speed is compared at a known quality.
/// </summary>
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
    private SpeexResampler _speexDown4 = null!;
    private SpeexResampler _speexDown10 = null!;
    private SpeexResampler _speexUp4 = null!;
    private SpeexResampler _speexUp10 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _down = new PolyphaseResampler(48000, 16000);
        _up = new PolyphaseResampler(22050, 48000);
        _capture = Tone(48000);
        _speech = Tone(22050);
        _downOutput = new float[_down.MaxOutputFor(CaptureChunk)];
        _upOutput = new float[_up.MaxOutputFor(VocoderChunk)];
        _speexDown4 = new SpeexResampler(48000, 16000, 4);
        _speexDown10 = new SpeexResampler(48000, 16000, 10);
        _speexUp4 = new SpeexResampler(22050, 48000, 4);
        _speexUp10 = new SpeexResampler(22050, 48000, 10);
        Console.WriteLine(
            $"// 48 kHz -> 16 kHz, a 9 kHz tone (above the new 8 kHz Nyquist) against a 1 kHz one: ours {AliasDb(new PolyphaseResampler(48000, 16000)):F1} dB, "
            + $"speex q4 {AliasDb(new SpeexResampler(48000, 16000, 4)):F1} dB, speex q10 {AliasDb(new SpeexResampler(48000, 16000, 10)):F1} dB");
    }

    /// <summary>48 kHz microphone to 16 kHz model input, 1 s in 80 ms chunks.</summary>
    [Benchmark]
    public int Downsample48kTo16kOneSecond() => Run(_down, _capture, CaptureChunk, _downOutput);

    /// <summary>22.05 kHz vocoder output to 48 kHz playback, 1 s in 1024-sample chunks.</summary>
    [Benchmark]
    public int Upsample22050To48kOneSecond() => Run(_up, _speech, VocoderChunk, _upOutput);

    /// <summary>SpeexDSP quality 4, the same second and chunks.</summary>
    [Benchmark]
    public int SpeexQ4Downsample48kTo16kOneSecond() => Run(_speexDown4, _capture, CaptureChunk, _downOutput);

    /// <summary>SpeexDSP quality 10.</summary>
    [Benchmark]
    public int SpeexQ10Downsample48kTo16kOneSecond() => Run(_speexDown10, _capture, CaptureChunk, _downOutput);

    [Benchmark]
    public int SpeexQ4Upsample22050To48kOneSecond() => Run(_speexUp4, _speech, VocoderChunk, _upOutput);

    [Benchmark]
    public int SpeexQ10Upsample22050To48kOneSecond() => Run(_speexUp10, _speech, VocoderChunk, _upOutput);

    [GlobalCleanup]
    public void Cleanup()
    {
        _speexDown4?.Dispose();
        _speexDown10?.Dispose();
        _speexUp4?.Dispose();
        _speexUp10?.Dispose();
    }

    private static int Run(SpeexResampler resampler, float[] input, int chunk, float[] output)
    {
        var written = 0;
        for (var start = 0; start < input.Length; start += chunk)
        {
            written += resampler.Process(input.AsSpan(start, Math.Min(chunk, input.Length - start)), output);
        }

        return written;
    }

    /// <summary>Energy of the alias a 9 kHz tone leaves at 16 kHz, in dB below what a 1 kHz tone of the same level keeps.</summary>
    private static double AliasDb(PolyphaseResampler ours) =>
        AliasDb((input, output) => ours.Process(input, output));

    private static double AliasDb(SpeexResampler speex)
    {
        using (speex)
        {
            return AliasDb((input, output) => speex.Process(input, output));
        }
    }

    private static double AliasDb(Resample resample)
    {
        var passed = Energy(resample, ToneAt(1000, 48000));
        var aliased = Energy(resample, ToneAt(9000, 48000));
        return 10 * Math.Log10(aliased / passed);
    }

    private static double Energy(Resample resample, float[] input)
    {
        var output = new float[input.Length];
        var chunkOutput = new float[CaptureChunk];
        var written = 0;
        for (var start = 0; start < input.Length; start += CaptureChunk)
        {
            var count = resample(input.AsSpan(start, Math.Min(CaptureChunk, input.Length - start)), chunkOutput);
            chunkOutput.AsSpan(0, count).CopyTo(output.AsSpan(written));
            written += count;
        }

        // The middle of each tone's output: past the lead-in and the change from the previous tone.
        var middle = output.AsSpan(written / 4, written / 2);
        var sum = 0.0;
        foreach (var sample in middle)
        {
            sum += sample * (double)sample;
        }

        return sum / middle.Length;
    }

    private delegate int Resample(ReadOnlySpan<float> input, Span<float> output);

    private static float[] ToneAt(double hertz, int rate)
    {
        var tone = new float[rate];
        for (var i = 0; i < tone.Length; i++)
        {
            tone[i] = (float)(0.5 * Math.Sin(2 * Math.PI * hertz * i / rate));
        }

        return tone;
    }

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
