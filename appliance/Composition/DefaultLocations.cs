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

    /// <summary>The user's cache for this program: <c>$XDG_CACHE_HOME/stepaudio-edge</c>, else <c>~/.cache/stepaudio-edge</c>.</summary>
    public static string UserCache()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "stepaudio-edge");
    }

    private static string FirstExisting(Func<string, bool> exists, string relative)
    {
        var onBox = Path.Combine(Hosting.HostingOptions.DefaultStateDirectory, relative);
        var inCache = Path.Combine(UserCache(), relative);
        return exists(onBox) || !exists(inCache) ? onBox : inCache;
    }
}
