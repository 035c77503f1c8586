using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Engine.Conversation;

/// <summary>How the device keeps a conversation going (section <c>Conversation</c>): history, follow-ups.</summary>
public sealed class ConversationOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Conversation";

    /// <summary>
    /// Most tokens a chat request may carry (system prompt, history and the current turn). Audio
    /// turns are counted exactly (41.67 tokens per second of speech); text is estimated.
    /// </summary>
    [Range(256, 32768)]
    public int HistoryTokenBudget { get; set; } = 4096;

    /// <summary>
    /// When a request would exceed the budget, the oldest turns are dropped until the request fits in
    /// this share of it: the headroom lets several more turns be appended before the next trim, and
    /// every trim changes the prompt's prefix (the server's prefix cache starts over).
    /// </summary>
    [Range(0.3, 1.0)]
    public double TrimToFraction { get; set; } = 0.75;

    /// <summary>A conversation idle for longer than this is forgotten; the next wake starts a new session.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After a reply has played, the device keeps listening this long without the wake word; speech in
    /// the window is the next turn of the same conversation. Zero turns follow-ups off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan FollowUpWindow { get; set; } = TimeSpan.FromSeconds(6);
}

/// <summary>Source-generated validation of <see cref="ConversationOptions"/>.</summary>
[OptionsValidator]
public sealed partial class ConversationOptionsValidator : IValidateOptions<ConversationOptions>;
