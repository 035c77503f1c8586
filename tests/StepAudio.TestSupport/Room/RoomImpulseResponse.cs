namespace StepAudio.TestSupport.Room;

/// <summary>
/// A synthetic loudspeaker-to-microphone impulse response at 16 kHz: silence for the acoustic
/// delay, the direct path, a handful of early reflections off nearby walls, then a late tail of
/// noise whose level decays exponentially by 60 dB over RT60 (the standard model of diffuse reverberation).
/// </summary>
public static class RoomImpulseResponse
{
    /// <summary>Builds the response; the same seed gives the same room.</summary>
    /// <param name="delaySamples">Samples before the direct path arrives (converters, buffering, air).</param>
    /// <param name="rt60Seconds">Time for the reverberation to fall by 60 dB.</param>
    /// <param name="directGain">Amplitude of the direct path (how loud the speaker is at the microphone).</param>
    /// <param name="lengthMs">How much of the tail to keep after the direct path.</param>
    /// <param name="seed">Picks the reflections and the tail's noise.</param>
    public static float[] Synthesize(int delaySamples, double rt60Seconds = 0.3, float directGain = 0.6f, int lengthMs = 250, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(delaySamples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rt60Seconds);
        var random = new Random(seed);
        var length = lengthMs * 16;
        var response = new float[delaySamples + length];
        response[delaySamples] = directGain;

        // ln(1000) / RT60: the amplitude decay rate that loses 60 dB in RT60 seconds.
        var decay = Math.Log(1000) / rt60Seconds;
        for (var i = 0; i < 6; i++)
        {
            var at = 16 * (2 + random.Next(18));
            var sign = random.Next(2) == 0 ? -1 : 1;
            response[delaySamples + at] += (float)(sign * directGain * 0.5 * Math.Exp(-decay * at / 16000.0));
        }

        // The diffuse tail starts after the early reflections, about 20 ms in, at a quarter of the direct level.
        for (var n = 320; n < length; n++)
        {
            var envelope = 0.25 * directGain * Math.Exp(-decay * n / 16000.0);
            response[delaySamples + n] += (float)(envelope * Gaussian(random) * 0.3);
        }

        return response;
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
