using StepAudio.Engine.Models;

namespace StepAudio.Appliance.Composition;

/// <summary>
/// Where the Step-Audio models and the voice prompt are looked for when no configuration names them: on a box, the
/// service's state directory (the data partition); on a development machine, the user's cache, where
/// <c>./deploy.sh setup</c> puts the embedded defaults. The first that exists wins; with neither, the box's path is
/// used, so the error names where an installed device keeps them.
/// </summary>
internal static class DefaultLocations
{
    /// <summary>The configuration keys these defaults fill, lowest in the stack: every file and variable overrides them.</summary>
    public static IReadOnlyDictionary<string, string?> Settings()
    {
        var models = FirstExisting(Directory.Exists, "step-audio");
        var prompt = FirstExisting(File.Exists, Path.Combine("voice", "prompt.wav"));
        return new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Tokenizer:ModelDirectory"] = models,
            ["Vocoder:ModelDirectory"] = models,
            ["Voice:PromptWav"] = prompt,
        };
    }

    private static string FirstExisting(Func<string, bool> exists, string relative)
    {
        var onBox = Path.Combine(Hosting.HostingOptions.DefaultStateDirectory, relative);
        var inCache = Path.Combine(UserCache.Directory(), relative);
        return exists(onBox) || !exists(inCache) ? onBox : inCache;
    }
}
