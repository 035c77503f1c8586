using StepAudio.Appliance.Hosting;
using StepAudio.Ops.Ota;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// What the running conversation is doing, for the OTA agent's reboot: a turn is in progress
/// from its wake (the listening loop's <c>InTurn</c>) until the coordinator has finished it
/// (answered, failed or no speech), and audio is playing while a reply or a fleet <c>say</c> is
/// being spoken or is still draining from the playback device. Before the pipeline has started
/// there is neither.
/// </summary>
internal sealed class ConversationActivity(ConversationService conversation) : IDeviceActivity
{
    /// <inheritdoc />
    public bool TurnInProgress
    {
        get
        {
            if (conversation.Loop is not { } loop || conversation.Coordinator is not { } coordinator)
            {
                return false;
            }

            if (loop.InTurn || !coordinator.CurrentReply.IsCompleted)
            {
                return true;
            }

            // Between the end of the user's speech and the reply the loop is out of its turn while
            // the coordinator still works on it.
            var turn = loop.TurnId;
            return turn > 0 && !coordinator.WhenTurnFinished(turn).IsCompleted;
        }
    }

    /// <inheritdoc />
    public bool AudioPlaying => conversation.Coordinator?.IsSpeaking ?? false;
}
