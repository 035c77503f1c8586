namespace StepAudio.Appliance.Hardware.LedRing;

/// <summary>What the ring shows: one state of the appliance at a time.</summary>
public enum DeviceLedState
{
    /// <summary>Waiting for the wake word: ring off.</summary>
    Idle,

    /// <summary>The user's turn is being captured: solid blue.</summary>
    Listening,

    /// <summary>The turn is with the GPU server: a violet comet going round.</summary>
    Thinking,

    /// <summary>The answer is playing: cyan, pulsing.</summary>
    Speaking,

    /// <summary>Capture is muted: solid red.</summary>
    Muted,

    /// <summary>The GPU server or the fleet cannot be reached: slow amber blink.</summary>
    Offline,

    /// <summary>An update is being installed: a green segment spinning over a dim green ring.</summary>
    Updating,

    /// <summary>Something needs attention: fast red blink.</summary>
    Error,

    /// <summary>After a reply, listening for a follow-up without the wake word: dim blue, breathing slowly.</summary>
    FollowUp,
}
