namespace StepAudio.Engine.Tools.Timers;

/// <summary>A timer that rang or was missed.</summary>
public sealed class TimerEventArgs(TimerEntry timer) : EventArgs
{
    /// <summary>The timer.</summary>
    public TimerEntry Timer { get; } = timer;
}

/// <summary>Why ringing stopped: "limit", "wake_word", "mute", "action_button", ...</summary>
public sealed class RingingStoppedEventArgs(string reason) : EventArgs
{
    /// <summary>The reason.</summary>
    public string Reason { get; } = reason;
}
