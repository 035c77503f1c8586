namespace StepAudio.Engine.Pipeline;

/// <summary>An output that can be silenced at once: barge-in.</summary>
public interface IInterruptibleOutput
{
    /// <summary>
    /// Stops what is playing within about one period and discards everything queued. Returns at once;
    /// the task completes when the device has gone quiet.
    /// </summary>
    Task StopAsync(CancellationToken ct = default);
}
