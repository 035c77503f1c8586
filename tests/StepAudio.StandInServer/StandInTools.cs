using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StepAudio.StandInServer;

/// <summary>The tool side of the stand-in: scripted tool-call rounds, answers to tool results, and a /weather service.</summary>
internal sealed class StandInTools(StandInGpuServer server)
{
    /// <summary>The scripted round this request should get, if it offers tools and the script has one left.</summary>
    public bool TryGetScriptedRound(JsonElement request, out int round, out StandInToolRound? script)
    {
        round = CountToolRounds(request);
        script = null;
        bool offersTools = request.TryGetProperty("tools", out JsonElement tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0;
        bool forbidden = request.TryGetProperty("tool_choice", out JsonElement choice) && choice.ValueKind == JsonValueKind.String && choice.GetString() == "none";
        List<StandInToolRound> rounds = server.Options.ToolScript;
        if (!offersTools || forbidden || round >= rounds.Count)
        {
            return false;
        }

        script = rounds[round];
        return true;
    }

    /// <summary>The contents of the tool messages that end the conversation, if it ends with any.</summary>
    public static bool TryGetTrailingToolResults(JsonElement request, out List<string> contents)
    {
        contents = [];
        if (!request.TryGetProperty("messages", out JsonElement messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (JsonElement message in messages.EnumerateArray())
        {
            bool isTool = message.TryGetProperty("role", out JsonElement role) && role.ValueKind == JsonValueKind.String && role.GetString() == "tool";
            if (!isTool)
            {
                contents.Clear();
                continue;
            }

            contents.Add(message.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String ? content.GetString()! : string.Empty);
        }

        return contents.Count > 0;
    }

    /// <summary>Streams one scripted round: the leading text, then each call with its arguments in fragments.</summary>
    public async Task StreamRoundAsync(HttpContext context, int round, StandInToolRound script, string model)
    {
        StandInOptions options = server.Options;
        if (options.FailWithStatus != 0)
        {
            await StandInEndpoints.WriteErrorAsync(context, options.FailWithStatus, "InternalServerError", "The stand-in was told to fail this request.");
            return;
        }

        server.GenerationStarted();
        CancellationToken aborted = context.RequestAborted;
        try
        {
            HttpResponse response = context.Response;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers.CacheControl = "no-cache";
            await response.StartAsync(aborted);
            PipeWriter pipe = response.BodyWriter;
            var writer = new SseChunkWriter(pipe, chat: true, model);
            await Task.Delay(options.FirstTokenDelay, aborted);
            writer.WriteStart();
            if (script.LeadingText is { Length: > 0 } text)
            {
                foreach (string delta in StandInModels.ChatDeltas(text))
                {
                    writer.WriteText(delta);
                    await FlushAndWaitAsync(pipe, options.TokenInterval, aborted);
                }
            }

            int size = options.ToolArgumentFragmentCharacters;
            for (int index = 0; index < script.Calls.Length; index++)
            {
                StandInToolCall call = script.Calls[index];
                string arguments = call.ArgumentsJson;
                int step = size > 0 ? size : Math.Max(1, arguments.Length);
                for (int start = 0; start == 0 || start < arguments.Length; start += step)
                {
                    string piece = start < arguments.Length ? arguments.Substring(start, Math.Min(step, arguments.Length - start)) : string.Empty;
                    writer.WriteToolCall(index, start == 0 ? StandInModels.ToolCallId(round, index) : null, start == 0 ? call.Name : null, piece);
                    await FlushAndWaitAsync(pipe, options.TokenInterval, aborted);
                }
            }

            writer.WriteFinish("tool_calls");
            writer.WriteDone();
            await pipe.FlushAsync(aborted);
            server.GenerationCompleted();
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && aborted.IsCancellationRequested)
        {
            server.GenerationCancelled();
        }
    }

    /// <summary><c>GET /weather?location=...</c>: a fixed report for the place, with the delay, failure or body the options ask for.</summary>
    public async Task WeatherAsync(HttpContext context)
    {
        StandInOptions options = server.Options;
        string location = context.Request.Query["location"].ToString();
        server.RecordWeather(location);
        try
        {
            if (options.WeatherDelay > TimeSpan.Zero)
            {
                await Task.Delay(options.WeatherDelay, context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (options.WeatherFailWithStatus != 0)
        {
            context.Response.StatusCode = options.WeatherFailWithStatus;
            await context.Response.WriteAsync("weather backend failed", context.RequestAborted);
            return;
        }

        if (options.WeatherBody is { } body)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body, context.RequestAborted);
            return;
        }

        if (location.Length == 0)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("location is required", context.RequestAborted);
            return;
        }

        await context.Response.WriteAsJsonAsync(StandInWeather.Report(location), context.RequestAborted);
    }

    private static int CountToolRounds(JsonElement request)
    {
        int rounds = 0;
        if (!request.TryGetProperty("messages", out JsonElement messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return 0;
        }

        foreach (JsonElement message in messages.EnumerateArray())
        {
            string? role = message.TryGetProperty("role", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            if (role == "user")
            {
                rounds = 0;
            }
            else if (role == "assistant" && message.TryGetProperty("tool_calls", out JsonElement calls) && calls.ValueKind == JsonValueKind.Array)
            {
                rounds++;
            }
        }

        return rounds;
    }

    private static async Task FlushAndWaitAsync(PipeWriter pipe, TimeSpan interval, CancellationToken aborted)
    {
        await pipe.FlushAsync(aborted);
        if (interval > TimeSpan.Zero)
        {
            await Task.Delay(interval, aborted);
        }
    }
}

/// <summary>What the /weather stand-in reports: fixed values, the place echoed back.</summary>
public static class StandInWeather
{
    /// <summary>The report for <paramref name="location"/> in the documented shape.</summary>
    public static Dictionary<string, object> Report(string location) => new()
    {
        ["location"] = location,
        ["temperature_c"] = 21.5,
        ["condition"] = "partly cloudy",
        ["humidity_percent"] = 60,
        ["wind_kph"] = 14,
    };

    /// <summary>The temperature every report carries.</summary>
    public static string TemperatureText => 21.5.ToString(CultureInfo.InvariantCulture);
}
