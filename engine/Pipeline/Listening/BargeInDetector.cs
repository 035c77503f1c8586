namespace StepAudio.Engine.Pipeline.Listening;

/// <summary>
/// Decides, frame by frame, whether the user is talking over the reply: a stretch of speech heard
/// during playback (VAD over the echo-cancelled signal) that outlasts a backchannel. Short dips
/// between syllables are bridged; anything heard while nothing plays resets it.
/// </summary>
internal sealed class BargeInDetector
{
    private readonly int _frameMs;
    private BargeInOptions _options;
    private int _speechMs;
    private int _gapMs;

    public BargeInDetector(BargeInOptions options, int frameMs)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameMs);
        _options = options;
        _frameMs = frameMs;
    }

    /// <summary>The rule in force.</summary>
    public BargeInOptions Options => _options;

    /// <summary>How long the current stretch of speech has lasted (0 when none).</summary>
    public int SpeechMs => _speechMs;

    /// <summary>Takes new settings from the next frame on.</summary>
    public void UpdateOptions(BargeInOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>
    /// Advances one frame. Returns true once per interruption: on the frame where speech during
    /// playback reaches <see cref="BargeInOptions.BackchannelMs"/>; <paramref name="speechMs"/> is then its length.
    /// </summary>
    public bool Advance(float speechProbability, bool playing, out int speechMs)
    {
        speechMs = 0;
        var options = _options;
        if (!playing || !options.Enabled)
        {
            Reset();
            return false;
        }

        if (speechProbability >= options.SpeechThreshold)
        {
            _speechMs += _frameMs + _gapMs;
            _gapMs = 0;
        }
        else if (_speechMs > 0)
        {
            _gapMs += _frameMs;
            if (_gapMs > options.GapToleranceMs)
            {
                Reset();
            }

            return false;
        }

        if (_speechMs < options.BackchannelMs)
        {
            return false;
        }

        speechMs = _speechMs;
        Reset();
        return true;
    }

    /// <summary>Forgets the stretch in progress.</summary>
    public void Reset()
    {
        _speechMs = 0;
        _gapMs = 0;
    }
}
