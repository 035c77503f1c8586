namespace StepAudio.Engine.Pipeline.Events;

/// <summary>The event names of the pipeline's timeline (the <c>type</c> field of events.jsonl).</summary>
public static class PipelineEventTypes
{
    public const string Wake = "wake";
    public const string SpeechStart = "speech_start";
    public const string Pause = "pause";
    public const string SpeculativeStart = "speculative_start";
    public const string SpeculativeCancel = "speculative_cancel";
    public const string SpeculativeCommit = "speculative_commit";

    /// <summary>At the end of the turn, the speculation's tokens were not the final ones (or it failed): it is cancelled and the turn asks anew.</summary>
    public const string SpeculativeDiscard = "speculative_discard";
    public const string EndOfTurn = "end_of_turn";
    public const string TokensReady = "tokens_ready";
    public const string ChatRequest = "chat_request";
    public const string FirstTextToken = "first_text_token";
    public const string TtsRequest = "tts_request";
    public const string FirstAudioToken = "first_audio_token";
    public const string FirstAudioOut = "first_audio_out";
    public const string TurnEnd = "turn_end";
    public const string NoSpeech = "no_speech";
    public const string ArbitrationLost = "arbitration_lost";
    public const string Error = "error";
    public const string BargeIn = "barge_in";
    public const string FollowUpOpen = "follow_up_open";
    public const string FollowUpStart = "follow_up_start";
    public const string FollowUpEnd = "follow_up_end";
    public const string OfflinePrompt = "offline_prompt";
}
