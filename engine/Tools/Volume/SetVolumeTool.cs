using System.Text.Json;
using StepAudio.Engine.Link;
using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Tools.Volume;

/// <summary><c>set_volume</c>: an absolute level 0-100, or one step up or down.</summary>
public sealed class SetVolumeTool(VolumeSetting volume) : ITool
{
    private const string Name = "set_volume";

    /// <inheritdoc />
    public ToolDefinition Definition { get; } = new(
        Name,
        "Change the speaker volume: either an absolute level from 0 to 100, or one step up or down.",
        """
        {"type": "object",
         "properties": {
           "level": {"type": "integer", "minimum": 0, "maximum": 100, "description": "The new volume in percent."},
           "direction": {"type": "string", "enum": ["up", "down"], "description": "One step louder or quieter."}}}
        """);

    /// <inheritdoc />
    public Task<ToolResult> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
    {
        int before = volume.Percent;
        int after;
        if (ToolArguments.TryGetInteger(arguments, Name, "level", 0, 100, out long level))
        {
            after = volume.Set((int)level);
        }
        else if (ToolArguments.TryGetString(arguments, Name, "direction", out string direction))
        {
            after = direction.ToUpperInvariant() switch
            {
                "UP" => volume.Change(+1),
                "DOWN" => volume.Change(-1),
                _ => throw new ToolArgumentException($"{Name}: 'direction' must be 'up' or 'down', got '{direction}'."),
            };
        }
        else
        {
            throw new ToolArgumentException($"{Name}: give 'level' (0-100) or 'direction' ('up' or 'down').");
        }

        string spoken = after == before ? $"The volume is already at {after}." : $"Volume set to {after}.";
        return Task.FromResult(ToolResult.Success(new { previous_level = before, level = after }, spoken));
    }
}
