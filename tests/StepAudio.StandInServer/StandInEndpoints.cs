using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StepAudio.StandInServer;

/// <summary>The routes, in vLLM's request and response shapes.</summary>
internal sealed class StandInEndpoints(StandInGpuServer server)
{
    private readonly StandInGeneration _generation = new(server);

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

            if (!StandInRequests.TryGetLastUserContent(root, out string? content))
            {
                await WriteErrorAsync(context, 400, "BadRequestError", "'messages' must be an array with at least one 'user' message.");
                return;
            }

            List<string> deltas = StandInModels.ChatDeltas(StandInModels.ChatAnswer(content));
            await _generation.GenerateAsync(context, root, deltas, chat: true, server.Options.ChatModel);
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

            if (!StandInRequests.TryGetTargetText(root, out string? target))
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
            await _generation.GenerateAsync(context, root, chunkCharacters > 0 ? StandInRequests.Recut(pieces, chunkCharacters) : pieces, chat: false, server.Options.TtsModel);
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

    /// <summary>Checks auth and parses the JSON body; on failure it has already answered.</summary>
    private async Task<JsonDocument?> ReadRequestAsync(HttpContext context, Action<string> record)
    {
        if (!await AuthorizeAsync(context))
        {
            return null;
        }

        server.RecordProtocol(context.Request.Protocol);
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

    internal static Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new { @object = "error", message, type, param = (string?)null, code = status },
            context.RequestAborted);
    }
}
