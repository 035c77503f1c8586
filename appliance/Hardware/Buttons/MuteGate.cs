namespace StepAudio.Appliance.Hardware.Buttons;

/// <summary>
/// Mutes the microphone in software. The capture path calls <see cref="Apply{T}"/> on every frame: one
/// volatile read, no lock, no allocation; while muted the frame is zeroed before anything downstream
/// (wake word, VAD, tokenizer) sees it. Any thread may change the state; changes are reported through
/// <see cref="MutedChanged"/> on the changing thread, never on the capture thread.
/// </summary>
public sealed class MuteGate
{
    private int _muted;

    /// <summary>Starts unmuted unless <paramref name="muted"/> says otherwise.</summary>
    public MuteGate(bool muted = false)
    {
        _muted = muted ? 1 : 0;
    }

    /// <summary>Raised with the new state after every change (button, fleet command, ...).</summary>
    public event Action<bool>? MutedChanged;

    /// <summary>Whether capture is muted now.</summary>
    public bool IsMuted => Volatile.Read(ref _muted) != 0;

    /// <summary>Sets the state; returns true when it changed (and <see cref="MutedChanged"/> was raised).</summary>
    public bool SetMuted(bool muted)
    {
        var value = muted ? 1 : 0;
        if (Interlocked.Exchange(ref _muted, value) == value)
        {
            return false;
        }

        MutedChanged?.Invoke(muted);
        return true;
    }

    /// <summary>Flips the state atomically and returns the new one.</summary>
    public bool Toggle()
    {
        int before;
        do
        {
            before = Volatile.Read(ref _muted);
        }
        while (Interlocked.CompareExchange(ref _muted, before ^ 1, before) != before);

        var muted = before == 0;
        MutedChanged?.Invoke(muted);
        return muted;
    }

    /// <summary>
    /// Zeroes <paramref name="frame"/> when muted. Returns true when it did, so the caller can also skip
    /// work that silence cannot change.
    /// </summary>
    public bool Apply<T>(Span<T> frame)
        where T : struct
    {
        if (Volatile.Read(ref _muted) == 0)
        {
            return false;
        }

        frame.Clear();
        return true;
    }
}
