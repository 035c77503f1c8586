namespace StepAudio.Engine.Models;

/// <summary>The user's cache, where the CLI keeps what it fetches and makes when no directory is configured.</summary>
public static class UserCache
{
    /// <summary><c>$XDG_CACHE_HOME</c>, else <c>~/.cache</c>.</summary>
    public static string Root()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        return !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
    }

    /// <summary>This program's folder in it: <c>{Root}/stepaudio-edge</c>.</summary>
    public static string Directory() => Path.Combine(Root(), "stepaudio-edge");
}
