namespace StepAudio.Appliance.Hosting;

/// <summary>
/// What the rest of the device may ask of the running conversation: the action button, the
/// fleet's <c>say</c>, the tools' clock and the update agent's wait for a quiet moment. Before the
/// pipeline has started, nothing is in progress and nothing can be said.
/// </summary>
internal interface IConversationControl
{
    /// <summary>Whether the pipeline is loaded and listening.</summary>
    bool IsRunning { get; }

    /// <summary>A turn is in progress from its wake until its reply is over (answered, failed or no speech).</summary>
    bool TurnInProgress { get; }

    /// <summary>Whether a reply or a <see cref="SayAsync"/> is being spoken or still drains from the speaker.</summary>
    bool IsSpeaking { get; }

    /// <summary>The pipeline's clock in milliseconds (audio heard so far plus the time since); 0 before start.</summary>
    double NowMs { get; }

    /// <summary>Starts a turn as the wake word would; false when the pipeline is not running.</summary>
    bool RequestTurn();

    /// <summary>Speaks <paramref name="text"/> in the device's voice; returns the seconds of audio played.</summary>
    /// <exception cref="InvalidOperationException">The pipeline is not running yet.</exception>
    Task<double> SayAsync(string text, CancellationToken cancellationToken);
}
