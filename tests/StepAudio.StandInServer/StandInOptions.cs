namespace StepAudio.StandInServer;

/// <summary>
/// How the stand-in behaves. Every property is read again for each request, so a test can change
/// them on a running server to inject faults.
/// </summary>
public sealed partial class StandInOptions
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

    /// <summary>
    /// When set, a chat answer also names its prompt (a short hash of the user turn), so a test can
    /// tell which request any text or speech it heard came from.
    /// </summary>
    public bool AnswerNamesPrompt { get; set; }

    /// <summary>
    /// Up to this much is added to each first-token delay (realistic servers vary): a hash of
    /// <see cref="JitterSeed"/> and the request's user turn, so a prompt always waits the same.
    /// </summary>
    public TimeSpan FirstTokenJitter { get; set; }

    /// <summary>Seed of the first-token jitter.</summary>
    public int JitterSeed { get; set; } = 1;

    /// <summary>
    /// Simulates vLLM's automatic prefix cache for chat requests: the prompts of this many recent
    /// requests are kept (0: no cache), and a new prompt's longest common prefix with them, in
    /// whole blocks of <see cref="PrefixCacheBlockTokens"/>, is not prefilled again.
    /// </summary>
    public int PrefixCacheEntries { get; set; }

    /// <summary>Tokens per cache block (vLLM's default block size is 16).</summary>
    public int PrefixCacheBlockTokens { get; set; } = 16;

    /// <summary>
    /// The share of the first-token delay that is prefill and scales with the uncached part of the
    /// prompt (1: a fully cached prompt answers at once; 0: the cache saves nothing).
    /// </summary>
    public double PrefixCacheDelayShare { get; set; } = 1.0;
}
