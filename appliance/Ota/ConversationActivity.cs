using StepAudio.Appliance.Hosting;
using StepAudio.Ops.Ota;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// What the running conversation is doing, for the OTA agent's reboot: a turn is in progress
/// from its wake until the coordinator has finished it, and audio is playing while a reply or a
/// fleet <c>say</c> is being spoken or is still draining from the playback device.
/// </summary>
internal sealed class ConversationActivity(IConversationControl conversation) : IDeviceActivity
{
    /// <inheritdoc />
    public bool TurnInProgress => conversation.TurnInProgress;

    /// <inheritdoc />
    public bool AudioPlaying => conversation.IsSpeaking;
}
