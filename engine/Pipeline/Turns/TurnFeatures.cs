using StepAudio.Engine.Conversation;
using StepAudio.Engine.Pipeline.Listening;

namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>The parts of a turn a device may do without; the defaults answer every wake and speculate at pauses.</summary>
/// <param name="Arbiter">Decides between speakers that heard the same wake; every wake is answered when null.</param>
/// <param name="FollowUpWindow">Where a follow-up window is opened after each spoken reply; none when null.</param>
/// <param name="OfflinePrompts">What is played when the GPU server fails a turn; silence when null.</param>
/// <param name="SpeculativeResponses">
/// Whether a pause starts a speculative chat request. Off, every turn asks only at its end: the
/// baseline the speculation's savings are measured against.
/// </param>
public sealed record TurnFeatures(
    IWakeArbiter? Arbiter = null,
    IFollowUpWindow? FollowUpWindow = null,
    OfflinePrompts? OfflinePrompts = null,
    bool SpeculativeResponses = true);
