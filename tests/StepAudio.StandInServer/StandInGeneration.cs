using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StepAudio.StandInServer;

/// <summary>One generation: fault injection, pacing, SSE chunks and the counters tests wait on.</summary>
internal sealed class StandInGeneration(StandInGpuServer server)
{
    private const long DeclaredLengthOfDroppedStreams = 1L << 30;

    /// <summary>Streams <paramref name="pieces"/> (or answers all at once when the request says stream: false).</summary>
    public async Task GenerateAsync(HttpContext context, JsonElement request, List<string> pieces, bool chat, string model)
    {
        StandInOptions options = server.Options;
        if (options.FailWithStatus != 0)
        {
            await StandInEndpoints.WriteErrorAsync(context, options.FailWithStatus, "InternalServerError", "The stand-in was told to fail this request.");
            return;
        }

        if (server.TakeTransientFailure())
        {
            await StandInEndpoints.WriteErrorAsync(context, options.FailFirstStatus, "ServiceUnavailableError", "The stand-in is failing its first requests.");
            return;
        }

        string finishReason = "stop";
        if (request.TryGetProperty("max_tokens", out JsonElement max) && max.TryGetInt32(out int maxTokens) && maxTokens < pieces.Count)
        {
            pieces = pieces.GetRange(0, Math.Max(0, maxTokens));
            finishReason = "length";
        }

        server.GenerationStarted();
        CancellationToken aborted = context.RequestAborted;
        try
        {
            if (request.TryGetProperty("stream", out JsonElement stream) && stream.ValueKind == JsonValueKind.True)
            {
                await StreamAsync(context, pieces, chat, model, finishReason, options, aborted);
            }
            else
            {
                await WholeAnswerAsync(context, string.Concat(pieces), chat, model, finishReason, options, aborted);
            }
        }
        catch (Exception ex) when (ex is ClientGoneException || (ex is OperationCanceledException or IOException && aborted.IsCancellationRequested))
        {
            server.GenerationCancelled();
        }
    }

    /// <summary>A write found the client gone before the transport raised RequestAborted.</summary>
    private sealed class ClientGoneException : IOException;

    private async Task StreamAsync(HttpContext context, List<string> pieces, bool chat, string model, string finishReason,
        StandInOptions options, CancellationToken aborted)
    {
        TimeSpan firstTokenDelay = options.FirstTokenDelay;
        TimeSpan tokenInterval = options.TokenInterval;
        int dropAfter = options.DropAfterTokens;
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        if (dropAfter >= 0)
        {
            // A drop is a body that ends before its declared length: Kestrel then closes the connection
            // after sending what was written. HttpContext.Abort() would be shorter but may discard output
            // Kestrel has not yet handed to the socket, so the tokens before the drop would not arrive.
            response.ContentLength = DeclaredLengthOfDroppedStreams;
        }

        await response.StartAsync(aborted);
        PipeWriter pipe = response.BodyWriter;
        var writer = new SseChunkWriter(pipe, chat, model);
        await WaitBeforeFirstTokenAsync(writer, pipe, firstTokenDelay, aborted);

        writer.WriteStart();
        for (int i = 0; i < pieces.Count; i++)
        {
            if (dropAfter >= 0 && i >= dropAfter)
            {
                await DropAsync(pipe, aborted);
                return;
            }

            if (i > 0 && tokenInterval > TimeSpan.Zero)
            {
                await Task.Delay(tokenInterval, aborted);
            }

            writer.WriteText(pieces[i]);
            await pipe.FlushAsync(aborted);
        }

        if (dropAfter >= 0)
        {
            await DropAsync(pipe, aborted);
            return;
        }

        writer.WriteFinish(finishReason);
        writer.WriteDone();
        await pipe.FlushAsync(aborted);
        if (aborted.IsCancellationRequested)
        {
            server.GenerationCancelled();
        }
        else
        {
            server.GenerationCompleted();
        }
    }

    /// <summary>
    /// The first-token delay, with an SSE comment every 100 ms: a client that gave up is then seen
    /// as gone by the write, not only by the transport noticing the closed socket (which, on a busy
    /// machine, can take longer than a long delay).
    /// </summary>
    private static async Task WaitBeforeFirstTokenAsync(SseChunkWriter writer, PipeWriter pipe, TimeSpan delay, CancellationToken aborted)
    {
        var remaining = delay;
        var step = TimeSpan.FromMilliseconds(100);
        while (remaining > TimeSpan.Zero)
        {
            var wait = remaining < step ? remaining : step;
            await Task.Delay(wait, aborted);
            remaining -= wait;
            if (remaining > TimeSpan.Zero)
            {
                writer.WriteKeepAlive();
                var flushed = await pipe.FlushAsync(aborted);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    throw new ClientGoneException();
                }
            }
        }
    }

    private async Task DropAsync(PipeWriter pipe, CancellationToken aborted)
    {
        await pipe.FlushAsync(aborted);
        server.GenerationDropped();
    }

    private async Task WholeAnswerAsync(HttpContext context, string text, bool chat, string model, string finishReason,
        StandInOptions options, CancellationToken aborted)
    {
        if (options.FirstTokenDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.FirstTokenDelay, aborted);
        }

        object choice = chat
            ? new { index = 0, message = new { role = "assistant", content = text }, logprobs = (object?)null, finish_reason = finishReason }
            : new { index = 0, text, logprobs = (object?)null, finish_reason = finishReason };
        await context.Response.WriteAsJsonAsync(new
        {
            id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N"),
            @object = chat ? "chat.completion" : "text_completion",
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            model,
            choices = new[] { choice },
        }, aborted);
        server.GenerationCompleted();
    }
}
