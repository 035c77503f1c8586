namespace StepAudio.StandInServer;

/// <summary>
/// How the stand-in behaves. Every property is read again for each request, so a test can change
/// them on a running server to inject faults.
/// </summary>
public sealed class StandInOptions
{
    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Speak only HTTP/2 on the cleartext port (h2c with prior knowledge); read at start. Kestrel's
    /// default HTTP/1.1+HTTP/2 cleartext endpoint answers an h2c preface with HTTP_1_1_REQUIRED.
    /// </summary>
    public bool Http2Only { get; set; }

    /// <summary>Delay before the first generated token (the server's prefill).</summary>
    public TimeSpan FirstTokenDelay { get; set; }

    /// <summary>Delay between generated tokens.</summary>
    public TimeSpan TokenInterval { get; set; }

    /// <summary>When not 0, generation requests answer with this HTTP status and a vLLM-shaped error body.</summary>
    public int FailWithStatus { get; set; }

    /// <summary>
    /// When above 0, this many further generation requests answer with <see cref="FailFirstStatus"/>
    /// (counting down, one per request), then the server answers normally: a transient outage.
    /// </summary>
    public int FailFirstRequests { get; set; }

    /// <summary>The status <see cref="FailFirstRequests"/> answers with.</summary>
    public int FailFirstStatus { get; set; } = 503;

    /// <summary>
    /// When 0 or more, the stream breaks off after this many tokens (-1: never): the connection closes
    /// with the body short of its declared length and without a finish_reason or [DONE].
    /// </summary>
    public int DropAfterTokens { get; set; } = -1;

    /// <summary>When set, every route but /health wants <c>Authorization: Bearer {key}</c> and answers 401 otherwise.</summary>
    public string? RequireApiKey { get; set; }

    /// <summary>Audio tokens the TTS model speaks per character of the target text.</summary>
    public int TtsTokensPerCharacter { get; set; } = 3;

    /// <summary>
    /// 0: one <c>&lt;audio_N&gt;</c> per SSE event, as vLLM sends it. Otherwise the TTS text is re-cut
    /// into pieces of this many characters, so tokens are split across events.
    /// </summary>
    public int TtsChunkCharacters { get; set; }

    /// <summary>The served chat model name.</summary>
    public string ChatModel { get; set; } = "step-audio-chat";

    /// <summary>The served TTS model name.</summary>
    public string TtsModel { get; set; } = "step-audio-tts";

    /// <summary>Reported by /tokenize and /v1/models.</summary>
    public int MaxModelLength { get; set; } = 32768;

    /// <summary>How many recent request bodies each endpoint keeps for assertions.</summary>
    public int RecordedBodies { get; set; } = 32;
}
