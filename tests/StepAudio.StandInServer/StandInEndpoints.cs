using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StepAudio.StandInServer;

/// <summary>The routes, in vLLM's request and response shapes.</summary>
internal sealed class StandInEndpoints(StandInGpuServer server)
{
    private const long DeclaredLengthOfDroppedStreams = 1L << 30;

    public async Task ChatAsync(HttpContext context)
    {
        if (await ReadRequestAsync(context, server.RecordChat) is not { } request)
        {
            return;
        }

        using (request)
        {
            JsonElement root = request.RootElement;
            if (!await CheckModelAsync(context, root, server.Options.ChatModel))
            {
                return;
            }

            if (!TryGetLastUserContent(root, out string? content))
            {
                await WriteErrorAsync(context, 400, "BadRequestError", "'messages' must be an array with at least one 'user' message.");
                return;
            }

            List<string> deltas = StandInModels.ChatDeltas(StandInModels.ChatAnswer(content));
            await GenerateAsync(context, root, deltas, chat: true, server.Options.ChatModel);
        }
    }

    public async Task CompletionsAsync(HttpContext context)
    {
        if (await ReadRequestAsync(context, server.RecordCompletion) is not { } request)
        {
            return;
        }

        using (request)
        {
            JsonElement root = request.RootElement;
            if (!await CheckModelAsync(context, root, server.Options.TtsModel))
            {
                return;
            }

            if (!TryGetTargetText(root, out string? target))
            {
                await WriteErrorAsync(context, 400, "BadRequestError",
                    "'prompt' must be a list of token ids holding a TTS prompt ([BOT] \"human\\n\" text [EOT]) or a string.");
                return;
            }

            int[] ids = StandInModels.TtsAudioIds(target, Math.Max(1, server.Options.TtsTokensPerCharacter));
            var pieces = new List<string>(ids.Length);
            foreach (int id in ids)
            {
                pieces.Add($"<audio_{id}>");
            }

            int chunkCharacters = server.Options.TtsChunkCharacters;
            await GenerateAsync(context, root, chunkCharacters > 0 ? Recut(pieces, chunkCharacters) : pieces, chat: false, server.Options.TtsModel);
        }
    }

    public async Task TokenizeAsync(HttpContext context)
    {
        if (await ReadRequestAsync(context, server.RecordTokenize) is not { } request)
        {
            return;
        }

        using (request)
        {
            JsonElement root = request.RootElement;
            if (!root.TryGetProperty("prompt", out JsonElement prompt) || prompt.ValueKind != JsonValueKind.String)
            {
                await WriteErrorAsync(context, 400, "BadRequestError", "'prompt' must be a string.");
                return;
            }

            var tokens = new List<int>();
            if (!root.TryGetProperty("add_special_tokens", out JsonElement special) || special.ValueKind != JsonValueKind.False)
            {
                tokens.Add(1); // BOS, as a Hugging Face tokenizer adds it by default
            }

            tokens.AddRange(StandInTokenizer.Encode(prompt.GetString()!));
            await context.Response.WriteAsJsonAsync(
                new { count = tokens.Count, max_model_len = server.Options.MaxModelLength, tokens, token_strs = (string[]?)null },
                context.RequestAborted);
        }
    }

    public async Task ModelsAsync(HttpContext context)
    {
        if (!await AuthorizeAsync(context))
        {
            return;
        }

        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        int maxLength = server.Options.MaxModelLength;
        await context.Response.WriteAsJsonAsync(new
        {
            @object = "list",
            data = new[]
            {
                new { id = server.Options.ChatModel, @object = "model", created, owned_by = "vllm", root = server.Options.ChatModel, max_model_len = maxLength },
                new { id = server.Options.TtsModel, @object = "model", created, owned_by = "vllm", root = server.Options.TtsModel, max_model_len = maxLength },
            },
        }, context.RequestAborted);
    }

    /// <summary>Streams <paramref name="pieces"/> (or answers all at once when the request says stream: false).</summary>
    private async Task GenerateAsync(HttpContext context, JsonElement request, List<string> pieces, bool chat, string model)
    {
        StandInOptions options = server.Options;
        if (options.FailWithStatus != 0)
        {
            await WriteErrorAsync(context, options.FailWithStatus, "InternalServerError", "The stand-in was told to fail this request.");
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
        catch (Exception ex) when (ex is OperationCanceledException or IOException && aborted.IsCancellationRequested)
        {
            server.GenerationCancelled();
        }
    }

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
        if (firstTokenDelay > TimeSpan.Zero)
        {
            await Task.Delay(firstTokenDelay, aborted);
        }

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

    /// <summary>Checks auth and parses the JSON body; on failure it has already answered.</summary>
    private async Task<JsonDocument?> ReadRequestAsync(HttpContext context, Action<string> record)
    {
        if (!await AuthorizeAsync(context))
        {
            return null;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        string body = await reader.ReadToEndAsync(context.RequestAborted);
        record(body);
        try
        {
            JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
        }

        await WriteErrorAsync(context, 400, "BadRequestError", "The request body is not a JSON object.");
        return null;
    }

    private async Task<bool> AuthorizeAsync(HttpContext context)
    {
        string? key = server.Options.RequireApiKey;
        if (string.IsNullOrEmpty(key) || context.Request.Headers.Authorization.ToString() == "Bearer " + key)
        {
            return true;
        }

        context.Response.StatusCode = 401;
        await context.Response.WriteAsJsonAsync(new { error = "Unauthorized" }, context.RequestAborted);
        return false;
    }

    private static async Task<bool> CheckModelAsync(HttpContext context, JsonElement root, string served)
    {
        if (root.TryGetProperty("model", out JsonElement model) && model.ValueKind == JsonValueKind.String && model.GetString() == served)
        {
            return true;
        }

        string asked = root.TryGetProperty("model", out model) ? model.ToString() : "(none)";
        await WriteErrorAsync(context, 404, "NotFoundError", $"The model `{asked}` does not exist.");
        return false;
    }

    private static bool TryGetLastUserContent(JsonElement root, out string content)
    {
        content = string.Empty;
        if (!root.TryGetProperty("messages", out JsonElement messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        bool found = false;
        foreach (JsonElement message in messages.EnumerateArray())
        {
            if (message.ValueKind == JsonValueKind.Object &&
                message.TryGetProperty("role", out JsonElement role) && role.ValueKind == JsonValueKind.String && role.GetString() == "user" &&
                message.TryGetProperty("content", out JsonElement text) && text.ValueKind == JsonValueKind.String)
            {
                content = text.GetString()!;
                found = true;
            }
        }

        return found;
    }

    private static bool TryGetTargetText(JsonElement root, out string target)
    {
        target = string.Empty;
        if (!root.TryGetProperty("prompt", out JsonElement prompt))
        {
            return false;
        }

        if (prompt.ValueKind == JsonValueKind.String)
        {
            target = prompt.GetString()!;
            return target.Length > 0;
        }

        if (prompt.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var ids = new int[prompt.GetArrayLength()];
        int i = 0;
        foreach (JsonElement id in prompt.EnumerateArray())
        {
            if (!id.TryGetInt32(out ids[i++]))
            {
                return false;
            }
        }

        return StandInModels.TryFindTargetText(ids, out target);
    }

    private static List<string> Recut(List<string> pieces, int size)
    {
        string all = string.Concat(pieces);
        var cut = new List<string>(all.Length / size + 1);
        for (int start = 0; start < all.Length; start += size)
        {
            cut.Add(all.Substring(start, Math.Min(size, all.Length - start)));
        }

        return cut;
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new { @object = "error", message, type, param = (string?)null, code = status },
            context.RequestAborted);
    }
}
