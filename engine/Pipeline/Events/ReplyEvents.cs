using System.Text.Json;

namespace StepAudio.Engine.Pipeline.Events;

/// <summary>The turn's final tokens are known.</summary>
/// <param name="Groups">Token groups.</param>
/// <param name="MsAfterEndOfTurn">How long after the end of the turn.</param>
public sealed record TokensReady(double AtMs, int Turn, int Groups, double MsAfterEndOfTurn) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.TokensReady;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteNumber("groups", Groups);
        json.WriteNumber("ms_after_end_of_turn", MsAfterEndOfTurn);
    }
}

/// <summary>A chat request went out with the final tokens (no speculation was committed).</summary>
public sealed record ChatRequested(double AtMs, int Turn, int Groups) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.ChatRequest;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteNumber("groups", Groups);
    }
}

/// <summary>The reply's first text arrived.</summary>
/// <param name="ServerFirstTokenMs">From the request to the first text.</param>
public sealed record FirstTextToken(double AtMs, int Turn, double ServerFirstTokenMs) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.FirstTextToken;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteNumber("server_first_token_ms", ServerFirstTokenMs);
    }
}

/// <summary>The reply's first sentence went to the TTS model.</summary>
/// <param name="Text">The sentence as sent (with its control tag).</param>
public sealed record TtsRequested(double AtMs, int Turn, string Text) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.TtsRequest;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteString("text", Text);
    }
}

/// <summary>The first audio id of the reply arrived.</summary>
/// <param name="ServerFirstAudioIdMs">From the TTS request to the first audio id.</param>
public sealed record FirstAudioToken(double AtMs, int Turn, double ServerFirstAudioIdMs) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.FirstAudioToken;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteNumber("server_first_audio_id_ms", ServerFirstAudioIdMs);
    }
}

/// <summary>The reply's first sound went to the output.</summary>
/// <param name="FirstAudioTokenToAudioOutMs">From the first audio id to the first sound.</param>
public sealed record FirstAudioOut(double AtMs, int Turn, double FirstAudioTokenToAudioOutMs) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.FirstAudioOut;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteNumber("first_audio_token_to_audio_out_ms", FirstAudioTokenToAudioOutMs);
    }
}

/// <summary>The turn is over: spoken, or cancelled (a barge-in, a new wake, shutdown).</summary>
/// <param name="Reply">What was said and where the time went; null when the turn was cancelled.</param>
public sealed record TurnEnded(double AtMs, int Turn, SpokenReply? Reply) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.TurnEnd;

    /// <summary>The turn was cut off before its reply was spoken.</summary>
    public bool Cancelled => Reply is null;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        if (Reply is not { } reply)
        {
            json.WriteBoolean("cancelled", true);
            return;
        }

        var latency = reply.Latency;
        json.WriteString("reply_text", reply.Text);
        json.WriteNumber("sentences", reply.Sentences);
        json.WriteNumber("audio_seconds", reply.AudioSeconds);
        json.WriteNumber("end_of_turn_to_tokens_ms", latency.EndOfTurnToTokensMs);
        json.WriteNumber("end_of_turn_to_first_text_ms", latency.EndOfTurnToFirstTextMs);
        json.WriteNumber("end_of_turn_to_first_audio_token_ms", latency.EndOfTurnToFirstAudioTokenMs);
        json.WriteNumber("first_audio_token_to_audio_out_ms", latency.FirstAudioTokenToAudioOutMs);
        json.WriteNumber("vocoder_first_chunk_ms", latency.VocoderFirstChunkMs);
        json.WriteNumber("end_of_turn_to_first_audio_out_ms", latency.EndOfTurnToFirstAudioOutMs);
        json.WriteNumber("server_wait_ms", latency.ServerWaitMs);
        json.WriteNumber("device_added_ms", latency.DeviceAddedMs);
    }
}

/// <summary>A spoken reply.</summary>
/// <param name="Text">What was said.</param>
/// <param name="Sentences">How many sentences.</param>
/// <param name="AudioSeconds">Seconds of audio, to three places.</param>
/// <param name="Latency">Where the time between the end of the turn and the first sound went.</param>
public sealed record SpokenReply(string Text, int Sentences, double AudioSeconds, TurnLatency Latency);

/// <summary>
/// Where the time between the end of the turn and the first sound went, in ms to a tenth: the
/// stages, and the split into the server's wait and the device's own share.
/// </summary>
public sealed record TurnLatency(
    double EndOfTurnToTokensMs,
    double EndOfTurnToFirstTextMs,
    double EndOfTurnToFirstAudioTokenMs,
    double FirstAudioTokenToAudioOutMs,
    double VocoderFirstChunkMs,
    double EndOfTurnToFirstAudioOutMs,
    double ServerWaitMs,
    double DeviceAddedMs);

/// <summary>Where a failed turn failed.</summary>
public enum TurnFailureStage
{
    /// <summary>The GPU server or the link to it (<c>server</c>).</summary>
    Server,

    /// <summary>The tokenizer produced nothing usable (<c>tokenizer</c>).</summary>
    Tokenizer,

    /// <summary>Anything else on the device (<c>pipeline</c>).</summary>
    Pipeline,
}

/// <summary>The turn failed (type <c>error</c>); the device goes on listening.</summary>
/// <param name="Stage">Where.</param>
/// <param name="Kind">The server's error kind, or the exception's type name.</param>
/// <param name="Message">What went wrong.</param>
public sealed record TurnFailed(double AtMs, int Turn, TurnFailureStage Stage, string Kind, string Message) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.Error;

    /// <summary>The stage as events.jsonl and the metrics name it.</summary>
    public string StageName => Stage switch
    {
        TurnFailureStage.Server => "server",
        TurnFailureStage.Tokenizer => "tokenizer",
        _ => "pipeline",
    };

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteString("stage", StageName);
        json.WriteString("kind", Kind);
        json.WriteString("message", Message);
    }
}

/// <summary>A failed turn was answered with the prompt for what happened.</summary>
/// <param name="Kind">Which prompt.</param>
/// <param name="Source">Where its audio came from.</param>
/// <param name="Seconds">Its length, to two places.</param>
public sealed record OfflinePromptPlayed(double AtMs, int Turn, Conversation.OfflinePromptKind Kind, Conversation.PromptSource Source, double Seconds)
    : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.OfflinePrompt;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteString("kind", Kind.ToString());
        json.WriteString("source", Source.ToString());
        json.WriteNumber("seconds", Seconds);
    }
}
