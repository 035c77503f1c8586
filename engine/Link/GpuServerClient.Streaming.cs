using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Link;

public sealed partial class GpuServerClient
{
    /// <summary>
    /// Sends one streaming request and yields the text of each chunk (memory valid until the next item).
    /// Ends normally only after <c>[DONE]</c> or a finish_reason; the response is disposed on every exit.
    /// </summary>
    private async IAsyncEnumerable<ReadOnlyMemory<char>> StreamTextAsync(
        Uri uri,
        ReadOnlyMemory<byte> body,
        string operation,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        ToolCallAssembler? toolCalls = null)
    {
        long started = Stopwatch.GetTimestamp();
        using var deadline = new StreamDeadline(_options.FirstTokenTimeout, cancellationToken);
        Log.RequestStarted(_logger, operation, uri);
        HttpResponseMessage response = await SendAsync(uri, body, operation, streaming: true, deadline).ConfigureAwait(false);
        int tokens = 0;
        string? finishReason = null;
        bool completed = false;
        bool faulted = false;
        try
        {
            Stream stream;
            try
            {
                stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not GpuServerException)
            {
                faulted = true;
                throw Translate(ex, operation, deadline, afterHeaders: true, tokens);
            }

            using var reader = new SseEventReader(stream);
            while (true)
            {
                bool hasEvent;
                CompletionChunk? chunk = null;
                try
                {
                    hasEvent = await reader.ReadEventAsync(deadline.Token).ConfigureAwait(false);
                    if (hasEvent && !reader.IsDone)
                    {
                        chunk = reader.ParseCompletionChunk();
                    }
                }
                catch (GpuServerException ex)
                {
                    faulted = true;
                    throw Fail(ex, operation);
                }
                catch (Exception ex)
                {
                    faulted = true;
                    throw Translate(ex, operation, deadline, afterHeaders: true, tokens);
                }

                if (!hasEvent)
                {
                    if (finishReason is not null)
                    {
                        break; // the server closed after its last chunk without [DONE]: the answer is whole
                    }

                    faulted = true;
                    throw Fail(new GpuServerException(GpuServerErrorKind.StreamDropped,
                        $"The GPU server's {operation} stream ended after {tokens} tokens without [DONE] or a finish_reason."), operation);
                }

                if (chunk is null)
                {
                    await DrainQuietlyAsync(reader, deadline.Token).ConfigureAwait(false);
                    break; // [DONE]
                }

                finishReason = chunk.FinishReason ?? finishReason;
                if (toolCalls is not null && chunk.ToolCallDeltaCount > 0)
                {
                    // Tool-call fragments are generated tokens too: they keep the idle deadline alive.
                    toolCalls.Add(chunk);
                    deadline.TokenArrived();
                    deadline.AwaitNextToken(_options.IdleTokenTimeout);
                }

                if (chunk.Text.Length > 0)
                {
                    if (tokens++ == 0)
                    {
                        Log.FirstToken(_logger, operation, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }

                    deadline.TokenArrived();

                    // Events already in the read buffer must not outlive a cancellation.
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return chunk.TextMemory;
                    deadline.AwaitNextToken(_options.IdleTokenTimeout);
                }
            }

            completed = true;
            if (finishReason == "length")
            {
                Log.StoppedAtLimit(_logger, operation, tokens);
            }

            Log.StreamCompleted(_logger, operation, tokens, Stopwatch.GetElapsedTime(started).TotalMilliseconds, finishReason ?? "[DONE]");
        }
        finally
        {
            // Disposing an unfinished response closes the HTTP/1.1 connection or resets the HTTP/2
            // stream: that is how vLLM learns the request was abandoned and frees the GPU.
            response.Dispose();
            if (!completed && deadline.CallerCancelled)
            {
                Log.Cancelled(_logger, operation, tokens);
            }
            else if (!completed && !faulted)
            {
                Log.Abandoned(_logger, operation, tokens);
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, ReadOnlyMemory<byte> body, string operation, bool streaming, StreamDeadline deadline)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Content = new ReadOnlyMemoryContent(body),
        };
        request.Content.Headers.ContentType = JsonContentType;
        request.Headers.Authorization = _authorization;
        if (streaming)
        {
            request.Headers.Accept.Add(EventStream);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw Translate(ex, operation, deadline, afterHeaders: false, tokens: 0);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string errorBody = await ReadErrorBodyAsync(response, deadline.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            GpuServerErrorKind kind = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? GpuServerErrorKind.Unauthorized
                : GpuServerErrorKind.HttpError;
            string hint = kind == GpuServerErrorKind.Unauthorized
                ? (_authorization is null ? " No API key is configured (GpuServer:ApiKey)." : " Check GpuServer:ApiKey.")
                : string.Empty;
            throw Fail(new GpuServerException(kind,
                $"The GPU server answered {operation} at {uri.AbsolutePath} with HTTP {status} {response.ReasonPhrase}.{hint} Body: {errorBody}",
                status), operation);
        }
    }

    /// <summary>At most a few KiB of the error body, for the message; never throws.</summary>
    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using var streamScope = stream.ConfigureAwait(false);
            byte[] buffer = new byte[MaxErrorBodyBytes];
            int total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            if (total == 0)
            {
                return "(empty)";
            }

            string text = Encoding.UTF8.GetString(buffer, 0, total).Trim();
            return text.Length > ErrorBodyShown ? string.Concat(text.AsSpan(0, ErrorBodyShown), "...") : text;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            return $"(unreadable: {ex.Message})";
        }
    }

    private static async ValueTask DrainQuietlyAsync(SseEventReader reader, CancellationToken cancellationToken)
    {
        try
        {
            await reader.DrainAsync(MaxDrainBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            // The answer is complete; a connection that cannot be reused is simply not reused.
        }
    }

    /// <summary>Maps a transport exception to what it means for the caller.</summary>
    private Exception Translate(Exception ex, string operation, StreamDeadline deadline, bool afterHeaders, int tokens)
    {
        if (deadline.CallerCancelled)
        {
            return ex is OperationCanceledException ? ex : new OperationCanceledException("The request was cancelled.", ex, deadline.Token);
        }

        if (TranslateResilience(ex, operation) is { } rejected)
        {
            return rejected;
        }

        if (deadline.Expired)
        {
            return deadline.PastFirstToken
                ? Fail(new GpuServerException(GpuServerErrorKind.IdleTimeout,
                    $"The GPU server's {operation} stream stalled for more than {_options.IdleTokenTimeout.TotalMilliseconds:0} ms after {tokens} tokens.", null, ex), operation)
                : Fail(new GpuServerException(GpuServerErrorKind.FirstTokenTimeout,
                    $"The GPU server sent no {operation} token within {_options.FirstTokenTimeout.TotalMilliseconds:0} ms.", null, ex), operation);
        }

        if (!afterHeaders && IsUnreachable(ex))
        {
            return Fail(new GpuServerException(GpuServerErrorKind.Unreachable,
                $"The GPU server at {_options.BaseAddress} is unreachable: {ex.Message}", null, ex), operation);
        }

        string when = afterHeaders ? $"after {tokens} tokens" : "before it answered";
        return Fail(new GpuServerException(GpuServerErrorKind.StreamDropped,
            $"The GPU server's {operation} connection broke {when}: {ex.Message}", null, ex), operation);
    }

    private static bool IsUnreachable(Exception ex) => ex switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError } => true,
        HttpRequestException { InnerException: SocketException } => true,
        // SocketsHttpHandler reports its ConnectTimeout as a cancellation wrapping a TimeoutException.
        OperationCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    private GpuServerException Fail(GpuServerException ex, string operation)
    {
        Log.RequestFailed(_logger, operation, ex.Kind, ex.Message);
        return ex;
    }

    /// <summary>
    /// Streams the chat model's answer as text deltas while offering it <paramref name="tools"/>
    /// (<c>tools</c> + <c>tool_choice</c>); the tool calls it makes are collected in
    /// <paramref name="toolCalls"/>, complete once the enumeration ends.
    /// </summary>
    /// <exception cref="GpuServerException">The request or the stream failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async IAsyncEnumerable<string> StreamChatAsync(
        IReadOnlyList<ChatMessage> messages,
        ChatToolSet tools,
        ToolChoice toolChoice,
        ToolCallAssembler toolCalls,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(toolCalls);
        if (messages.Count == 0)
        {
            throw new ArgumentException("A chat request needs at least one message.", nameof(messages));
        }

        ReadOnlyMemory<byte> body = GpuServerRequests.Chat(_options, messages, tools, toolChoice);
        await foreach (ReadOnlyMemory<char> delta in StreamTextAsync(_chatUri, body, "chat", cancellationToken, toolCalls).ConfigureAwait(false))
        {
            yield return delta.ToString();
        }
    }

    /// <summary>What the resilience layer's own rejections mean for the caller; null for anything else.</summary>
    private GpuServerException? TranslateResilience(Exception ex, string operation) => ex switch
    {
        BrokenCircuitException broken => Fail(new GpuServerException(GpuServerErrorKind.CircuitOpen,
            $"The GPU server at {_options.BaseAddress} failed too often recently; the {operation} request was not sent" +
            (broken.RetryAfter is { } after ? $" (the next try is allowed in {after.TotalSeconds:0.#} s)." : "."), null, ex), operation),
        TimeoutRejectedException => Fail(new GpuServerException(GpuServerErrorKind.FirstTokenTimeout,
            $"The GPU server did not answer the {operation} request within {_options.Resilience.ResponseTimeout.TotalMilliseconds:0} ms " +
            $"(GpuServer:Resilience:ResponseTimeout), after {_options.Resilience.RetryAttempts} retries.", null, ex), operation),
        _ => null,
    };
}
