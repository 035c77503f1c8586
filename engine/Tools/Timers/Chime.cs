namespace StepAudio.Engine.Tools.Timers;

/// <summary>
/// The timer's ring, made on the device so it plays with no server and no files: two bell-like
/// notes (a fifth apart, with a soft octave partial), each struck and left to decay.
/// </summary>
public static class Chime
{
    /// <summary>Renders one chime at <paramref name="sampleRate"/>, peak below 0.5.</summary>
    public static float[] Render(int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        int noteSamples = sampleRate * 45 / 100;
        var samples = new float[noteSamples * 2];
        Strike(samples.AsSpan(0, noteSamples), sampleRate, 880.0);
        Strike(samples.AsSpan(noteSamples), sampleRate, 1318.5);
        return samples;
    }

    private static void Strike(Span<float> note, int sampleRate, double frequency)
    {
        int attack = sampleRate / 200; // 5 ms: no click at the strike
        for (int i = 0; i < note.Length; i++)
        {
            double t = i / (double)sampleRate;
            double envelope = Math.Exp(-t * 6.0) * Math.Min(1.0, i / (double)attack);
            double tail = Math.Min(1.0, (note.Length - i) / (double)attack);
            double tone = Math.Sin(2 * Math.PI * frequency * t) + 0.3 * Math.Sin(4 * Math.PI * frequency * t);
            note[i] = (float)(0.35 * envelope * tail * tone);
        }
    }
}
