namespace StepAudio.Engine.Link;

/// <summary>
/// One chat turn. Roles use Step-Audio's names (<see cref="System"/>, <see cref="Human"/>,
/// <see cref="Assistant"/>); the client maps them to OpenAI's system/user/assistant on the wire.
/// </summary>
/// <param name="Role">One of <see cref="System"/>, <see cref="Human"/>, <see cref="Assistant"/>.</param>
/// <param name="Content">Text, or the user's audio as a token string (<c>&lt;audio_N&gt;...</c>).</param>
public sealed partial record ChatMessage(string Role, string Content)
{
    /// <summary>The system turn.</summary>
    public const string System = "system";

    /// <summary>The user's turn.</summary>
    public const string Human = "human";

    /// <summary>The model's turn.</summary>
    public const string Assistant = "assistant";

    /// <summary>The OpenAI role name for a Step-Audio role.</summary>
    /// <exception cref="ArgumentException">The role is not one of the three.</exception>
    public static string ToWireRole(string role) => role switch
    {
        System => "system",
        Human => "user",
        Assistant => "assistant",
        Tool => "tool",
        _ => throw new ArgumentException(
            $"Chat message role '{role}' is not one of '{System}', '{Human}', '{Assistant}', '{Tool}'.", nameof(role)),
    };
}
