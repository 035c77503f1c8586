using StepAudio.Engine.Audio;

namespace StepAudio.Engine.Tests.Voice.Fakes;

/// <summary>Speech-like prompt recordings: voiced harmonics under a syllable envelope, with quiet lead-in and tail for the trimmer.</summary>
internal static class PromptRecordings
{
    /// <summary>Writes a mono 16-bit WAV of <paramref name="seconds"/> at <paramref name="sampleRate"/>; <paramref name="pitch"/> makes recordings differ.</summary>
    public static string Write(string path, double pitch = 140, double seconds = 2.0, int sampleRate = 22050)
    {
        var samples = new float[(int)(seconds * sampleRate)];
        var lead = (int)(0.25 * sampleRate);
        for (var n = lead; n < samples.Length - lead; n++)
        {
            var t = (double)n / sampleRate;
            var syllable = Math.Max(0, Math.Sin(Math.PI * 4 * (t - 0.25)));
            var f0 = pitch * (1 + (0.05 * Math.Sin(2 * Math.PI * 1.5 * t)));
            var voiced = 0.0;
            for (var h = 1; h <= 8; h++)
            {
                voiced += Math.Sin(2 * Math.PI * f0 * h * t) / h;
            }

            samples[n] = (float)(0.3 * syllable * voiced);
        }

        WavFile.Write(path, samples, sampleRate, 1);
        return path;
    }
}
