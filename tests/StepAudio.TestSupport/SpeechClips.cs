using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace StepAudio.TestSupport;

/// <summary>
/// Real speech for the tests: espeak-ng synthesis and the recordings Debian ships, converted by
/// sox to 16 kHz mono float samples. Cached per process.
/// </summary>
public static class SpeechClips
{
    private static readonly ConcurrentDictionary<string, float[]> s_cache = new();

    /// <summary>espeak-ng speaking <paramref name="text"/>, resampled to 16 kHz mono, peak-scaled to <paramref name="peak"/>.</summary>
    public static float[] Synthesize(string text, string voice = "en-us", int wordsPerMinute = 150, float peak = 0.5f)
    {
        return s_cache.GetOrAdd($"espeak|{voice}|{wordsPerMinute}|{peak}|{text}", _ =>
        {
            var wav = Path.Combine(Path.GetTempPath(), $"stepaudio-espeak-{Guid.NewGuid():N}.wav");
            try
            {
                ExternalTool.Run("espeak-ng", ["-v", voice, "-s", wordsPerMinute.ToString(), "-w", wav, text]);
                return TrimSilence(Normalize(Decode(wav), peak), peak);
            }
            finally
            {
                File.Delete(wav);
            }
        });
    }

    /// <summary>Any file sox can read (WAV, raw with the given type arguments), as 16 kHz mono floats.</summary>
    public static float[] Decode(string path, params string[] inputTypeArguments)
    {
        var arguments = new List<string>(inputTypeArguments) { path, "-r", "16000", "-c", "1", "-b", "32", "-e", "floating-point", "-t", "raw", "-" };
        var bytes = ExternalTool.Run("sox", arguments);
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>
    /// Real speech recordings Debian ships: alsa-utils' channel announcements and the speech files
    /// of codec2-examples (8 kHz raw; the package's modem and sine test files are left out).
    /// </summary>
    public static IEnumerable<(string Name, float[] Samples)> DebianRecordings()
    {
        foreach (var wav in Directory.EnumerateFiles("/usr/share/sounds/alsa", "*.wav").Order())
        {
            if (!wav.EndsWith("Noise.wav", StringComparison.Ordinal))
            {
                yield return (Path.GetFileName(wav), Decode(wav));
            }
        }

        foreach (var name in Codec2Speech)
        {
            var raw = Path.Combine("/usr/share/codec2/raw", name);
            if (!File.Exists(raw))
            {
                throw new InvalidOperationException($"{raw} is missing; run './deploy.sh setup' (package codec2-examples).");
            }

            yield return (name, Decode(raw, "-t", "raw", "-r", "8000", "-e", "signed-integer", "-b", "16", "-c", "1"));
        }
    }

    private static readonly string[] Codec2Speech =
    [
        "hts1.raw", "hts2.raw", "forig.raw", "morig.raw", "kristoff.raw", "big_dog.raw", "mmt1.raw",
        "vk5qi.raw", "ve9qrp.raw", "cq_ref.raw", "cross.raw", "g3plx.raw",
    ];

    /// <summary>Silence of the given length.</summary>
    public static float[] Silence(int milliseconds) => new float[milliseconds * 16];

    /// <summary>Concatenates clips.</summary>
    public static float[] Concat(params float[][] parts)
    {
        var result = new float[parts.Sum(p => p.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;
    }

    /// <summary>
    /// espeak-ng pads its output with silence; cut it (keeping 20 ms either side) so the silences
    /// a test puts between clips are the silences heard.
    /// </summary>
    private static float[] TrimSilence(float[] samples, float peak)
    {
        var threshold = 0.01f * peak;
        var first = Array.FindIndex(samples, s => MathF.Abs(s) > threshold);
        var last = Array.FindLastIndex(samples, s => MathF.Abs(s) > threshold);
        if (first < 0)
        {
            return samples;
        }

        var start = Math.Max(0, first - 320);
        var end = Math.Min(samples.Length, last + 320);
        return samples[start..end];
    }

    private static float[] Normalize(float[] samples, float peak)
    {
        var max = samples.Max(MathF.Abs);
        if (max > 0)
        {
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] *= peak / max;
            }
        }

        return samples;
    }
}
