namespace StepAudio.StandInServer;

public static partial class StandInModels
{
    /// <summary>The chat answer after tool results: each result's content, verbatim, so tests know what the model was told.</summary>
    public static string ToolAnswer(IReadOnlyList<string> toolContents)
    {
        ArgumentNullException.ThrowIfNull(toolContents);
        return "The tool said: " + string.Join(" and ", toolContents) + ".";
    }

    /// <summary>The id the stand-in gives call <paramref name="index"/> of round <paramref name="round"/>.</summary>
    public static string ToolCallId(int round, int index) => $"call_{round}_{index}";
}
