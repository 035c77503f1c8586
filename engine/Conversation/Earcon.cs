namespace StepAudio.Engine.Conversation;

/// <summary>
/// The last-resort prompt: a short tone pattern made on the device, so a failure is never silent even
/// before any spoken prompt exists. Each kind has its own pattern (falling for "unreachable", a double
/// low tone for "error", ...), with raised-cosine edges so nothing clicks.
/// </summary>
internal static class Earcon
{
    private const double ToneSeconds = 0.16;
    private const double GapSeconds = 0.06;
    private const float Level = 0.3f;

    /// <summary>The earcon for <paramref name="kind"/> at <paramref name="sampleRate"/>.</summary>
    public static float[] Synthesize(OfflinePromptKind kind, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        ReadOnlySpan<double> tones = kind switch
        {
            OfflinePromptKind.ServerUnreachable => [784, 587, 392],
            OfflinePromptKind.ServerError => [330, 330],
            OfflinePromptKind.ServerTooSlow => [523, 523, 523],
            OfflinePromptKind.ConnectionLost => [659, 440],
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an OfflinePromptKind"),
        };

        var tone = (int)(ToneSeconds * sampleRate);
        var gap = (int)(GapSeconds * sampleRate);
        var ramp = Math.Max(1, sampleRate / 200);
        var samples = new float[(tones.Length * tone) + ((tones.Length - 1) * gap)];
        for (var t = 0; t < tones.Length; t++)
        {
            var start = t * (tone + gap);
            var step = 2 * Math.PI * tones[t] / sampleRate;
            for (var i = 0; i < tone; i++)
            {
                var edge = Math.Min(i, tone - 1 - i);
                var envelope = edge >= ramp ? 1.0 : 0.5 - (0.5 * Math.Cos(Math.PI * edge / ramp));
                samples[start + i] = (float)(Level * envelope * Math.Sin(step * i));
            }
        }

        return samples;
    }
}
