using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Link.Resilience;

namespace StepAudio.Engine.Link;

/// <summary>
/// Talks to the GPU server (vLLM's OpenAI-compatible API): streaming chat (user audio tokens in,
/// text out), streaming TTS completions (prompt ids in, audio ids out) and tokenization. Every call
/// is one request with no retries; cancelling the token or disposing the enumeration early closes the
/// response so the server stops generating.
/// </summary>
public sealed partial class GpuServerClient : ITextTokenizer, IDisposable
{
    private const int MaxErrorBodyBytes = 4096;
    private const int ErrorBodyShown = 512;
    private const int MaxDrainBytes = 64 * 1024;

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly GpuServerOptions _options;
    private readonly ILogger _logger;
    private readonly Uri _chatUri;
    private readonly Uri _completionsUri;
    private readonly Uri _tokenizeUri;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly LinkResilienceHandler? _resilience;
    private readonly TtsRepetitionGuardLedger _repetitionGuard;

    /// <summary>
    /// Builds and owns its own connection pool from <paramref name="options"/>, behind the resilience
    /// layer (<see cref="LinkResilienceHandler"/>: response timeout, circuit breaker, retries before the
    /// first byte). <paramref name="timeProvider"/> drives its delays and breaker (the system clock when null).
    /// </summary>
    public GpuServerClient(GpuServerOptions options, ILogger<GpuServerClient>? logger = null, TimeProvider? timeProvider = null)
        : this(CreateResilientHandler(options ?? throw new ArgumentNullException(nameof(options)), timeProvider, logger), options, logger)
    {
    }

    private GpuServerClient(LinkResilienceHandler resilience, GpuServerOptions options, ILogger<GpuServerClient>? logger)
        : this(CreateHttpClient(resilience), options, logger, ownsHttp: true)
    {
        _resilience = resilience;
    }

    /// <summary>
    /// Uses <paramref name="httpClient"/> (not owned: the caller disposes it); its BaseAddress is not used.
    /// Build it on <see cref="CreateHandler"/> so an abandoned stream is closed at once, and give it an
    /// infinite Timeout: a whole TTS stream can outlast HttpClient's default 100 s, and the first-token
    /// and idle deadlines already bound every request.
    /// </summary>
    public GpuServerClient(HttpClient httpClient, GpuServerOptions options, ILogger<GpuServerClient>? logger = null)
        : this(httpClient ?? throw new ArgumentNullException(nameof(httpClient)), options ?? throw new ArgumentNullException(nameof(options)), logger, ownsHttp: false)
    {
    }

    private GpuServerClient(HttpClient httpClient, GpuServerOptions options, ILogger<GpuServerClient>? logger, bool ownsHttp)
    {
        _http = httpClient;
        _ownsHttp = ownsHttp;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _repetitionGuard = new TtsRepetitionGuardLedger(options.TtsRepetitionGuard, _logger);
        var root = options.BaseAddress.AbsoluteUri.EndsWith('/') ? options.BaseAddress : new Uri(options.BaseAddress.AbsoluteUri + "/");
        _chatUri = new Uri(root, "v1/chat/completions");
        _completionsUri = new Uri(root, "v1/completions");
        _tokenizeUri = new Uri(root, "tokenize");
        _authorization = string.IsNullOrEmpty(options.ApiKey) ? null : new AuthenticationHeaderValue("Bearer", options.ApiKey);
        if (options.SendsApiKeyInPlaintext)
        {
            Log.PlaintextApiKey(_logger, options.BaseAddress);
        }
    }

    /// <summary>The options this client was built with.</summary>
    public GpuServerOptions Options => _options;

    /// <summary>
    /// The circuit breaker's state (Open: requests fail at once with <see cref="GpuServerErrorKind.CircuitOpen"/>);
    /// always Closed for an injected HttpClient, whose resilience is the caller's.
    /// </summary>
    public Polly.CircuitBreaker.CircuitState CircuitState => _resilience?.CircuitState ?? Polly.CircuitBreaker.CircuitState.Closed;

    /// <summary>
    /// Streams the chat model's answer as text deltas. When the first message is not a system turn,
    /// <see cref="GpuServerOptions.SystemPrompt"/> is sent as one.
    /// </summary>
    /// <exception cref="GpuServerException">The request or the stream failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async IAsyncEnumerable<string> StreamChatAsync(
        IReadOnlyList<ChatMessage> messages,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new ArgumentException("A chat request needs at least one message.", nameof(messages));
        }

        ReadOnlyMemory<byte> body = GpuServerRequests.Chat(_options, messages);
        await foreach (ReadOnlyMemory<char> delta in StreamTextAsync(_chatUri, body, "chat", cancellationToken).ConfigureAwait(false))
        {
            yield return delta.ToString();
        }
    }

    /// <summary>
    /// Streams the TTS model's audio ids (0..5119) for a prompt of raw LLM ids (see <see cref="TtsPromptBuilder"/>).
    /// The end-of-sequence token and any text that is not an audio token are dropped.
    /// </summary>
    /// <exception cref="GpuServerException">The request or the stream failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async IAsyncEnumerable<int> StreamTtsAsync(
        IReadOnlyList<int> promptIds,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        if (promptIds.Count == 0)
        {
            throw new ArgumentException("A TTS prompt needs at least one id.", nameof(promptIds));
        }

        ReadOnlyMemory<byte> body = GpuServerRequests.Tts(_options, promptIds);
        var parser = new AudioTokenParser();
        var guard = new Tts.RepetitionGuardMonitor(promptIds);
        int[] ids = new int[64];
        await foreach (ReadOnlyMemory<char> text in StreamTextAsync(_completionsUri, body, "tts", cancellationToken).ConfigureAwait(false))
        {
            int needed = text.Length / 9 + 1;
            if (ids.Length < needed)
            {
                ids = new int[needed];
            }

            int count = parser.Feed(text.Span, ids);
            for (int i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                guard.Accept(AudioTokenText.LlmIdOffset + ids[i]);
                yield return ids[i];
            }
        }

        if (parser.RejectedCount > 0)
        {
            Log.AudioTokensRejected(_logger, parser.RejectedCount);
        }

        _repetitionGuard.Record(guard);
    }

    /// <summary>
    /// TTS ids, over every stream so far, that Step-Audio's repetition guard bans at their step:
    /// above 0 means the server does not apply the guard (see <see cref="GpuServerOptions.TtsRepetitionGuard"/>).
    /// </summary>
    public int TtsRepetitionGuardViolations => _repetitionGuard.Violations;

    /// <summary>Token ids of <paramref name="text"/> from the server's <c>POST /tokenize</c>.</summary>
    /// <exception cref="GpuServerException">The request failed or the answer has no token list.</exception>
    public async Task<int[]> TokenizeAsync(string text, string model, bool addSpecialTokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(model);
        using var deadline = new StreamDeadline(_options.FirstTokenTimeout, cancellationToken);
        HttpResponseMessage response = await SendAsync(_tokenizeUri, GpuServerRequests.Tokenize(model, text, addSpecialTokens), "tokenize", streaming: false, deadline).ConfigureAwait(false);
        using (response)
        {
            byte[] body;
            try
            {
                body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not GpuServerException)
            {
                throw Translate(ex, "tokenize", deadline, afterHeaders: true, tokens: 0);
            }

            try
            {
                return GpuServerRequests.ParseTokens(body);
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw Fail(new GpuServerException(GpuServerErrorKind.MalformedStream,
                    $"The GPU server's /tokenize answer is not usable: {ex.Message}.", null, ex), "tokenize");
            }
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>
    /// The connection pool this client builds for itself: keep-alive HTTP/1.1 and HTTP/2 (PINGs while
    /// requests are in flight), the connect timeout and connection limit from <paramref name="options"/>,
    /// and no draining of abandoned responses. Give it to an injected <see cref="HttpClient"/> (e.g.
    /// through IHttpClientFactory), ideally behind a <see cref="LinkResilienceHandler"/>:
    /// SocketsHttpHandler's default drain keeps reading an abandoned HTTP/1.1 stream for up to 2 s,
    /// and the server keeps generating for a consumer that is gone.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(GpuServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            // Bounded: a speculative request, a committed one and TTS may overlap, never more.
            MaxConnectionsPerServer = options.MaxConnections,
            // Recycle pooled connections so a server moved behind DNS or a load balancer is picked up.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = options.Resilience.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.Resilience.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            // An abandoned HTTP/1.1 stream must close at once so the server sees the abort and stops
            // generating; draining it for reuse would keep the GPU busy on a cancelled request.
            MaxResponseDrainSize = 0,
            ResponseDrainTimeout = TimeSpan.Zero,
            AutomaticDecompression = DecompressionMethods.None,
        };
    }

    private static LinkResilienceHandler CreateResilientHandler(GpuServerOptions options, TimeProvider? timeProvider, ILogger? logger) =>
        new(options, CreateHandler(options), timeProvider, logger);

    private static HttpClient CreateHttpClient(HttpMessageHandler handler)
    {
        return new HttpClient(handler, disposeHandler: true)
        {
            // The per-request deadlines (first token, idle) replace the whole-request timeout.
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }
}
