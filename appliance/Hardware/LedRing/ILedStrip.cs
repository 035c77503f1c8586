namespace StepAudio.Appliance.Hardware.LedRing;

/// <summary>A chain of addressable LEDs: the only thing the ring controller needs from a driver.</summary>
public interface ILedStrip : IDisposable
{
    /// <summary>How many LEDs the chain has.</summary>
    int Count { get; }

    /// <summary>Sends one frame; <paramref name="pixels"/> holds exactly <see cref="Count"/> colours, LED 0 first.</summary>
    void Show(ReadOnlySpan<LedColor> pixels);
}
