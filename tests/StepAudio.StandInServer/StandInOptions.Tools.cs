namespace StepAudio.StandInServer;

public sealed partial class StandInOptions
{
    /// <summary>
    /// Tool calls the chat model makes, one entry per round: a request that offers tools (and does
    /// not say <c>tool_choice: "none"</c>) after r earlier tool rounds in the turn is answered with
    /// round r's calls. Once the script is used up, a request whose last message is a tool result is
    /// answered with <see cref="StandInModels.ToolAnswer"/>.
    /// </summary>
    public List<StandInToolRound> ToolScript { get; } = [];

    /// <summary>Tool-call arguments stream in pieces of this many characters (0: whole).</summary>
    public int ToolArgumentFragmentCharacters { get; set; } = 7;

    /// <summary>Delay before the <c>/weather</c> stand-in answers.</summary>
    public TimeSpan WeatherDelay { get; set; }

    /// <summary>When not 0, <c>/weather</c> answers with this HTTP status.</summary>
    public int WeatherFailWithStatus { get; set; }

    /// <summary>When set, <c>/weather</c> answers with this body verbatim (to send garbage).</summary>
    public string? WeatherBody { get; set; }
}

/// <summary>One round of scripted tool calls, optionally after some spoken text.</summary>
/// <param name="LeadingText">Text streamed before the calls ("Let me check."), or null.</param>
/// <param name="Calls">The calls of the round.</param>
public sealed record StandInToolRound(string? LeadingText, params StandInToolCall[] Calls);

/// <summary>One scripted call; its id is <c>call_{round}_{index}</c>.</summary>
/// <param name="Name">Function name.</param>
/// <param name="ArgumentsJson">Arguments as the model writes them (need not be valid JSON).</param>
public sealed record StandInToolCall(string Name, string ArgumentsJson);
