namespace StepAudio.Engine.Pipeline.Listening;

/// <summary>
/// The follow-up window: after a reply the loop listens for a while without the wake word. Voice that
/// holds above the endpointing speech threshold for <c>ResumeSpeechMs</c> starts the next turn, with the
/// pre-roll, so the onset that decided it is part of the turn; a window that runs out posts
/// <see cref="TurnSignalKind.FollowUpClosed"/> and the loop waits for the wake word again.
/// </summary>
public sealed partial class ListeningLoop : IFollowUpWindow
{
    /// <summary>The keyword a turn started by speech in the follow-up window carries.</summary>
    public const string FollowUpKeyword = "follow_up";

    private const int CloseRequest = -1;

    // Written by any thread, taken by the audio thread: frames of a new window, or CloseRequest.
    private int _followUpRequest;

    // Audio thread only.
    private int _followUpFrames;
    private int _followUpSpeechFrames;

    /// <summary>True while a follow-up window is open (as of the last frame).</summary>
    public bool InFollowUpWindow => Volatile.Read(ref _followUpFrames) > 0;

    /// <inheritdoc />
    public void OpenFollowUpWindow(TimeSpan window)
    {
        var frames = (int)Math.Ceiling(window.TotalMilliseconds / FrameMs);
        if (frames > 0)
        {
            Interlocked.Exchange(ref _followUpRequest, frames);
        }
    }

    /// <inheritdoc />
    public void CloseFollowUpWindow() => Interlocked.Exchange(ref _followUpRequest, CloseRequest);

    /// <summary>Audio thread, between turns: advances the window by one frame; true when speech started a turn.</summary>
    private bool AdvanceFollowUp(float probability)
    {
        var request = Interlocked.Exchange(ref _followUpRequest, 0);
        if (request > 0)
        {
            Volatile.Write(ref _followUpFrames, request);
            _followUpSpeechFrames = 0;
        }
        else if (request == CloseRequest && _followUpFrames > 0)
        {
            Volatile.Write(ref _followUpFrames, 1); // closes below, with the signal
        }

        if (_followUpFrames == 0)
        {
            return false;
        }

        var endpointing = _endpointing;
        if (request != CloseRequest && probability >= endpointing.SpeechThreshold)
        {
            if (++_followUpSpeechFrames * FrameMs >= endpointing.ResumeSpeechMs)
            {
                StartTurn(FollowUpKeyword, probability, TurnSignalKind.FollowUp);
                return true;
            }
        }
        else
        {
            _followUpSpeechFrames = 0;
        }

        Volatile.Write(ref _followUpFrames, _followUpFrames - 1);
        if (_followUpFrames == 0)
        {
            Post(new TurnSignal(TurnSignalKind.FollowUpClosed, _timeline.AudioMs, _turnId));
        }

        return false;
    }

    /// <summary>A turn is starting (wake word, button or follow-up): any window ends without a signal.</summary>
    private void EndFollowUpForTurn()
    {
        Interlocked.Exchange(ref _followUpRequest, 0);
        Volatile.Write(ref _followUpFrames, 0);
        _followUpSpeechFrames = 0;
    }
}
