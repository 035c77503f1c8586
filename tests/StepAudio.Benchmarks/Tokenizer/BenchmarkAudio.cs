namespace StepAudio.Benchmarks.Tokenizer;

/// <summary>Deterministic speech-band test audio for the tokenizer benchmarks.</summary>
internal static class BenchmarkAudio
{
    public const int SampleRate = 16000;

    public static float[] Create(double seconds, int seed = 1)
    {
        var random = new Random(seed);
        var samples = new float[(int)(seconds * SampleRate)];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = i / (double)SampleRate;
            var voiced = Math.Sin(2 * Math.PI * 180 * t) + (0.5 * Math.Sin(2 * Math.PI * 720 * t)) + (0.2 * Math.Sin(2 * Math.PI * 2400 * t));
            var envelope = 0.5 + (0.5 * Math.Sin(2 * Math.PI * 3 * t));
            samples[i] = (float)((0.3 * envelope * voiced) + (0.02 * ((random.NextDouble() * 2) - 1)));
        }

        return samples;
    }
}
