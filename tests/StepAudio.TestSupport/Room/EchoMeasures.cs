namespace StepAudio.TestSupport.Room;

/// <summary>How much echo a canceller removed.</summary>
public static class EchoMeasures
{
    /// <summary>
    /// Echo return loss enhancement in dB: the echo's energy at the microphone over the energy left
    /// after cancellation, over the same samples (only where nobody but the device was talking).
    /// </summary>
    public static double ErleDb(ReadOnlySpan<float> echo, ReadOnlySpan<float> residual)
    {
        if (echo.Length != residual.Length || echo.IsEmpty)
        {
            throw new ArgumentException("Echo and residual must be the same, non-zero length.", nameof(residual));
        }

        double echoEnergy = 0, residualEnergy = 0;
        for (var i = 0; i < echo.Length; i++)
        {
            echoEnergy += echo[i] * (double)echo[i];
            residualEnergy += residual[i] * (double)residual[i];
        }

        return 10 * Math.Log10(echoEnergy / Math.Max(residualEnergy, 1e-20));
    }
}
