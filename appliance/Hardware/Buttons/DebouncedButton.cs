namespace StepAudio.Appliance.Hardware.Buttons;

internal enum ButtonRole
{
    Mute,
    Action,
}

/// <summary>One button's pin, raw and debounced level; guarded by the owning monitor's lock.</summary>
internal sealed class DebouncedButton(int pin, ButtonRole role)
{
    public int Pin { get; } = pin;

    public ButtonRole Role { get; } = role;

    /// <summary>Restarted by every edge; when it fires the raw level has held for the debounce time.</summary>
    public ITimer? SettleTimer { get; set; }

    /// <summary>True when the monitor opened the pin (and so closes it); a pin opened by others stays open.</summary>
    public bool OpenedHere { get; set; }

    public bool CallbackRegistered { get; set; }

    /// <summary>The level of the last edge, pressed or not.</summary>
    public bool RawPressed { get; set; }

    /// <summary>The debounced level: what the events are about.</summary>
    public bool StablePressed { get; set; }

    public long LastEdgeTimestamp { get; set; }

    /// <summary>When the current press began (its last edge), the origin of the long-press time.</summary>
    public long PressedAtTimestamp { get; set; }
}
