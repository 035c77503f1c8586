namespace StepAudio.Engine.Tests.Features;

/// <summary>Deterministic test audio: synthetic signals and the speech clip alsa-utils installs.</summary>
internal static class TestSignals
{
    public const string SpeechClip = "/usr/share/sounds/alsa/Front_Center.wav";

    /// <summary>A chirp plus two tones plus seeded noise, peak about 0.5.</summary>
    public static float[] Synthetic(int samples, int seed = 1)
    {
        var random = new Random(seed);
        var signal = new float[samples];
        for (var i = 0; i < samples; i++)
        {
            var t = i / 16000.0;
            var chirp = Math.Sin(2 * Math.PI * (100 + (900 * t)) * t);
            var tones = (0.3 * Math.Sin(2 * Math.PI * 440 * t)) + (0.1 * Math.Sin(2 * Math.PI * 3100 * t));
            var envelope = 0.5 + (0.5 * Math.Sin(2 * Math.PI * 2.5 * t));
            signal[i] = (float)((0.25 * envelope * (chirp + tones)) + (0.01 * ((random.NextDouble() * 2) - 1)));
        }

        return signal;
    }

    /// <summary>The mono 16-bit PCM samples of a WAV file, scaled to [-1, 1).</summary>
    public static float[] ReadPcm16Wav(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(bytes, offset, 4);
            var size = BitConverter.ToInt32(bytes, offset + 4);
            if (id == "data")
            {
                var samples = new float[size / 2];
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = BitConverter.ToInt16(bytes, offset + 8 + (2 * i)) / 32768f;
                }

                return samples;
            }

            offset += 8 + size + (size & 1);
        }

        throw new InvalidDataException($"{path} has no data chunk.");
    }
}
