namespace StepAudio.Engine.Pipeline.Listening;

/// <summary>
/// Holds back the audio of a pause from the tokenizer until the pause is decided. Speech resuming
/// releases it (nothing is lost); the end of the turn drops it, so the turn's final tokens cover
/// exactly the audio the pause's snapshot covered. That makes "no new speech since the
/// speculation started" visible as "the final tokens equal the speculation's", and the trailing
/// silence (a few token groups of nothing) never reaches the chat model. Sized once, no
/// allocation per frame; a pause longer than the buffer is released to the tokenizer instead.
/// </summary>
public sealed class PauseHold
{
    private readonly float[] _held;
    private int _count;

    /// <param name="capacitySamples">The most samples held.</param>
    public PauseHold(int capacitySamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacitySamples);
        _held = new float[capacitySamples];
    }

    /// <summary>The held audio, oldest first.</summary>
    public ReadOnlySpan<float> Held => _held.AsSpan(0, _count);

    /// <summary>Samples held now.</summary>
    public int HeldSamples => _count;

    /// <summary>Holds <paramref name="frame"/>; false (and nothing held) when it does not fit.</summary>
    public bool TryHold(ReadOnlySpan<float> frame)
    {
        if (frame.Length > _held.Length - _count)
        {
            return false;
        }

        frame.CopyTo(_held.AsSpan(_count));
        _count += frame.Length;
        return true;
    }

    /// <summary>Forgets the held audio (after it was released, or when the turn ended in the pause).</summary>
    public void Clear() => _count = 0;
}
