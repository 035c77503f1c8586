using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using StepAudio.Engine.Models;

namespace StepAudio.Engine.Conversation;

/// <summary>
/// The short prompts the device plays when the GPU server fails a turn (section <c>OfflinePrompts</c>).
/// Each is rendered in the device's own voice while the server is reachable and cached on disk; until
/// then a clip bundled at publish time (espeak-ng) is used, and failing that a synthesized earcon.
/// </summary>
public sealed class OfflinePromptOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "OfflinePrompts";

    /// <summary>Play a prompt when a turn fails on the link (false: fail silently, as before).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where rendered prompts are cached; empty: <c>$XDG_CACHE_HOME/stepaudio/prompts</c> (or <c>~/.cache/...</c>).</summary>
    public string CacheDirectory { get; set; } = string.Empty;

    /// <summary>Where the publish step put the bundled clips (<c>server-unreachable.wav</c>, ...); empty: <c>prompts/</c> beside the executable.</summary>
    public string BundledDirectory { get; set; } = string.Empty;

    /// <summary>Said when the server cannot be reached.</summary>
    [Required]
    [MinLength(1)]
    public string ServerUnreachableText { get; set; } = "I can't reach my server right now.";

    /// <summary>Said when the server answered with an error.</summary>
    [Required]
    [MinLength(1)]
    public string ServerErrorText { get; set; } = "Sorry, my server ran into a problem. Please try again.";

    /// <summary>Said when the server was too slow to answer.</summary>
    [Required]
    [MinLength(1)]
    public string ServerTooSlowText { get; set; } = "Sorry, my server is taking too long to answer.";

    /// <summary>Said when the connection dropped mid-reply.</summary>
    [Required]
    [MinLength(1)]
    public string ConnectionLostText { get; set; } = "Sorry, I lost the connection to my server.";

    /// <summary>Longest a single prompt's rendering may take before it is left for the next idle moment.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RenderTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The text of <paramref name="kind"/>.</summary>
    public string TextOf(OfflinePromptKind kind) => kind switch
    {
        OfflinePromptKind.ServerUnreachable => ServerUnreachableText,
        OfflinePromptKind.ServerError => ServerErrorText,
        OfflinePromptKind.ServerTooSlow => ServerTooSlowText,
        OfflinePromptKind.ConnectionLost => ConnectionLostText,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an OfflinePromptKind"),
    };

    /// <summary>The bundled clip's file name for <paramref name="kind"/> (what <c>deploy.sh publish</c> writes).</summary>
    public static string BundledFileName(OfflinePromptKind kind) => kind switch
    {
        OfflinePromptKind.ServerUnreachable => "server-unreachable.wav",
        OfflinePromptKind.ServerError => "server-error.wav",
        OfflinePromptKind.ServerTooSlow => "server-too-slow.wav",
        OfflinePromptKind.ConnectionLost => "connection-lost.wav",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an OfflinePromptKind"),
    };

    /// <summary>The cache directory in force.</summary>
    public string ResolveCacheDirectory()
    {
        if (!string.IsNullOrWhiteSpace(CacheDirectory))
        {
            return CacheDirectory;
        }

        return Path.Combine(UserCache.Root(), "stepaudio", "prompts");
    }

    /// <summary>The bundled directory in force.</summary>
    public string ResolveBundledDirectory() =>
        string.IsNullOrWhiteSpace(BundledDirectory) ? Path.Combine(AppContext.BaseDirectory, "prompts") : BundledDirectory;
}

/// <summary>Source-generated validation of <see cref="OfflinePromptOptions"/>.</summary>
[OptionsValidator]
public sealed partial class OfflinePromptOptionsValidator : IValidateOptions<OfflinePromptOptions>;
