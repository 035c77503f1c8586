namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>Exponential backoff between attempts to reopen a failed device: initial, doubling, capped.</summary>
internal struct ReopenBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private TimeSpan _next;

    public ReopenBackoff(TimeSpan initial, TimeSpan max)
    {
        _initial = initial;
        _max = max;
        _next = initial;
    }

    public int Attempts { get; private set; }

    /// <summary>The delay before the next attempt; each call doubles the one after, up to the cap.</summary>
    public TimeSpan Next()
    {
        var delay = _next;
        Attempts++;
        var doubled = _next * 2;
        _next = doubled > _max ? _max : doubled;
        return delay;
    }

    public void Reset()
    {
        _next = _initial;
        Attempts = 0;
    }
}
