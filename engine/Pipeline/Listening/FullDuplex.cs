using StepAudio.Engine.Echo;

namespace StepAudio.Engine.Pipeline.Listening;

/// <summary>
/// What the listening loop needs to listen while the device talks: the echo stage that cleans each
/// frame of the device's own voice, the barge-in rule, and the playback it silences when the user
/// talks over the reply. The stop is issued on the audio thread, on the frame the decision is made,
/// so it does not wait for the turn coordinator.
/// </summary>
public sealed class FullDuplex : IDisposable
{
    private readonly IInterruptibleOutput _playback;
    private readonly BargeInDetector _detector;
    private readonly bool _ownsEcho;

    /// <param name="echo">The echo stage over the playback reference.</param>
    /// <param name="playback">The output to silence on barge-in.</param>
    /// <param name="options">The barge-in rule.</param>
    /// <param name="ownsEcho">Dispose <paramref name="echo"/> with this.</param>
    public FullDuplex(EchoStage echo, IInterruptibleOutput playback, BargeInOptions options, bool ownsEcho = false)
    {
        ArgumentNullException.ThrowIfNull(echo);
        ArgumentNullException.ThrowIfNull(playback);
        Echo = echo;
        _playback = playback;
        _detector = new BargeInDetector(options, ListeningLoop.FrameSamples / 16);
        _ownsEcho = ownsEcho;
    }

    /// <summary>The echo stage.</summary>
    public EchoStage Echo { get; }

    /// <summary>True while the frame last processed was heard during playback or its echo.</summary>
    public bool PlaybackActive => Echo.PlaybackActive;

    /// <summary>Barge-ins that stopped playback since start.</summary>
    public int Interruptions { get; private set; }

    /// <summary>The last stop issued (completes when the device went quiet), or a completed task.</summary>
    public Task LastStop { get; private set; } = Task.CompletedTask;

    /// <summary>Takes a new barge-in rule from the next frame on.</summary>
    public void UpdateOptions(BargeInOptions options) => _detector.UpdateOptions(options);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsEcho)
        {
            Echo.Dispose();
        }
    }

    internal int PreRollMs => _detector.Options.PreRollMs;

    internal void Clean(ReadOnlySpan<float> capture, Span<float> output) => Echo.Process(capture, output);

    internal bool SpeechInterrupts(float speechProbability, out int speechMs)
    {
        var armed = !Echo.Cancels || Echo.AdaptedMs >= _detector.Options.ConvergenceMs;
        return _detector.Advance(speechProbability, Echo.PlaybackActive && armed, out speechMs);
    }

    internal void Interrupt()
    {
        Interruptions++;
        _detector.Reset();
        try
        {
            LastStop = _playback.StopAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // A playback that is not running has nothing to stop; the coordinator still cancels the reply.
            LastStop = Task.FromException(ex);
        }
    }
}
