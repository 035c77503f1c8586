namespace StepAudio.Engine.Pipeline.Listening;

/// <summary>Where the coordinator asks for a follow-up window: listening without the wake word for a while.</summary>
public interface IFollowUpWindow
{
    /// <summary>From the next frame, speech within <paramref name="window"/> starts the next turn without the wake word.</summary>
    void OpenFollowUpWindow(TimeSpan window);

    /// <summary>Ends an open window at the next frame, as if it had run out.</summary>
    void CloseFollowUpWindow();
}
