using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using StepAudio.Engine.Link.Resilience;

namespace StepAudio.Engine.Link;

/// <summary>Where the GPU server is and how the device talks to it (vLLM's OpenAI-compatible API).</summary>
public sealed class GpuServerOptions : IValidatableObject
{
    /// <summary>The server root (not its <c>/v1</c> path): <c>/v1/...</c> and <c>/tokenize</c> are resolved against it.</summary>
    [Required]
    public Uri BaseAddress { get; set; } = new("http://127.0.0.1:8000");

    /// <summary>Sent as <c>Authorization: Bearer</c> when set (vLLM's <c>--api-key</c>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Allows <see cref="ApiKey"/> to go to a remote server (anything but loopback) over <c>http://</c>. Off by
    /// default: the bearer key would cross the network in clear; when on, the client logs a warning.
    /// </summary>
    public bool AllowPlaintextApiKey { get; set; }

    /// <summary>True when the bearer key would be sent in clear to a non-loopback server.</summary>
    public bool SendsApiKeyInPlaintext =>
        !string.IsNullOrEmpty(ApiKey) && BaseAddress is { IsAbsoluteUri: true } address
        && address.Scheme == Uri.UriSchemeHttp && !address.IsLoopback;

    /// <summary>The served model name of Step-Audio-Chat.</summary>
    [Required]
    [MinLength(1)]
    public string ChatModel { get; set; } = "step-audio-chat";

    /// <summary>The served model name of Step-Audio-TTS-3B.</summary>
    [Required]
    [MinLength(1)]
    public string TtsModel { get; set; } = "step-audio-tts";

    /// <summary>
    /// Whether the TTS prompt's pieces are tokenized with the tokenizer's special tokens (BOS in front of each), as
    /// Step-Audio's <c>tts.py</c> does by calling <c>tokenizer.encode</c> with its default. False sends bare pieces,
    /// for a TTS model trained on prompts without the inner BOS ids (see <see cref="TtsPromptBuilder"/>).
    /// </summary>
    public bool TtsAddSpecialTokens { get; set; } = true;

    /// <summary>TCP (and TLS) connect limit; only applies to the handler this library builds itself.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>From sending the request until the first generated token (prefill on a busy server).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan FirstTokenTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest gap between two generated tokens before the stream counts as stalled.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan IdleTokenTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Chat sampling temperature (reference: 0.7).</summary>
    [Range(0.0, 2.0)]
    public double ChatTemperature { get; set; } = 0.7;

    /// <summary>Chat nucleus sampling (reference: 0.9).</summary>
    [Range(0.01, 1.0)]
    public double ChatTopP { get; set; } = 0.9;

    /// <summary>Chat generation limit (reference: 2048 new tokens).</summary>
    [Range(1, 32768)]
    public int ChatMaxTokens { get; set; } = 2048;

    /// <summary>TTS sampling temperature (reference: 0.7).</summary>
    [Range(0.0, 2.0)]
    public double TtsTemperature { get; set; } = 0.7;

    /// <summary>TTS generation limit (reference: 8192).</summary>
    [Range(1, 32768)]
    public int TtsMaxTokens { get; set; } = 8192;

    /// <summary>
    /// Asks the server for Step-Audio's repetition guard on each TTS request (reference: on). vLLM
    /// applies it only with the guard's logits processor loaded at start (<c>--logits-processors</c>);
    /// the request switches it on through <c>vllm_xargs</c> (<c>repetition_guard_window</c>,
    /// <c>repetition_guard_min_count</c>), which a server without the processor ignores. The device
    /// checks every stream against the rule and logs once when the server lets a banned id through.
    /// </summary>
    public bool TtsRepetitionGuard { get; set; } = true;

    /// <summary>Prepended as the system turn when a chat request does not bring its own.</summary>
    public string SystemPrompt { get; set; } =
        "You are a voice assistant on a smart speaker. Reply in the language the user speaks, " +
        "keep answers short and conversational, and write them the way they should be spoken aloud.";

    /// <summary>Connections per server: a speculative request and a committed one may overlap with TTS.</summary>
    [Range(1, 256)]
    public int MaxConnections { get; set; } = 4;

    /// <summary>Retries before the first byte, the circuit breaker, response timeout and HTTP version.</summary>
    [Required]
    [ValidateObjectMembers]
    public LinkResilienceOptions Resilience { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseAddress is { } address &&
            (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult(
                $"GpuServer:BaseAddress must be an absolute http:// or https:// URI, got '{address}'.",
                [nameof(BaseAddress)]);
        }

        if (SendsApiKeyInPlaintext && !AllowPlaintextApiKey)
        {
            yield return new ValidationResult(
                $"GpuServer:ApiKey would be sent in clear to the remote server {BaseAddress}: use an https:// GpuServer:BaseAddress, " +
                "or set GpuServer:AllowPlaintextApiKey=true to accept it (logged as a warning).",
                [nameof(ApiKey), nameof(AllowPlaintextApiKey)]);
        }

        if (ApiKey is { Length: > 0 } key && (key.Trim().Length != key.Length || key.Contains('\n') || key.Contains('\r')))
        {
            yield return new ValidationResult(
                "GpuServer:ApiKey must not start or end with whitespace or contain line breaks.",
                [nameof(ApiKey)]);
        }
    }
}

/// <summary>Source-generated validation of <see cref="GpuServerOptions"/> (DataAnnotations and <see cref="IValidatableObject"/>).</summary>
[OptionsValidator]
public sealed partial class GpuServerOptionsValidator : IValidateOptions<GpuServerOptions>;
