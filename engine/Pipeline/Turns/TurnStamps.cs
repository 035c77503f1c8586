using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>
/// The stamps of one reply and what they add up to: where the time between the end of the turn
/// and the first sound went, split into the device's share and the server's.
/// </summary>
internal sealed class TurnStamps(AudioTimeline timeline, long endOfTurn)
{
    public long EndOfTurn { get; } = endOfTurn;

    public long TokensReady { get; set; }

    public long ChatRequest { get; set; }

    public long FirstText { get; set; }

    public long FirstSentence { get; set; }

    public long TtsRequest { get; set; }

    public long FirstAudioToken { get; set; }

    public long FirstAudioOut { get; set; }

    /// <summary>When the audio id arrived that let the vocoder produce its first chunk (the last one before the first sound).</summary>
    public long LastAudioTokenBeforeOut { get; set; }

    public double Since(long from, long to) => Math.Round(timeline.Elapsed(from, to), 1);

    public SpokenReply Describe(ReplySummary reply)
    {
        var total = Since(EndOfTurn, FirstAudioOut);

        // Time spent waiting on the server after the turn ended: the chat until the first whole
        // sentence (first-token delay plus token pacing), and the TTS until the audio id that
        // completed the vocoder's first chunk. The rest (tokenizing, prompt building, vocoding,
        // resampling) is the device's own.
        var chatWaitFrom = Math.Max(ChatRequest, EndOfTurn);
        var chatWait = FirstSentence > chatWaitFrom ? Since(chatWaitFrom, FirstSentence) : 0;
        var ttsWait = Since(TtsRequest, LastAudioTokenBeforeOut);
        var latency = new TurnLatency(
            EndOfTurnToTokensMs: Since(EndOfTurn, TokensReady),
            EndOfTurnToFirstTextMs: FirstText > EndOfTurn ? Since(EndOfTurn, FirstText) : 0,
            EndOfTurnToFirstAudioTokenMs: Since(EndOfTurn, FirstAudioToken),
            FirstAudioTokenToAudioOutMs: Since(FirstAudioToken, FirstAudioOut),
            VocoderFirstChunkMs: Since(LastAudioTokenBeforeOut, FirstAudioOut),
            EndOfTurnToFirstAudioOutMs: total,
            ServerWaitMs: Math.Round(chatWait + ttsWait, 1),
            DeviceAddedMs: Math.Round(total - chatWait - ttsWait, 1));
        return new SpokenReply(reply.Text, reply.Sentences, Math.Round(reply.AudioSeconds, 3), latency);
    }
}

/// <summary>What was said.</summary>
internal readonly record struct ReplySummary(string Text, int Sentences, double AudioSeconds);
