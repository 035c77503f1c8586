using System.Text.Json;
using StepAudio.Engine.Link;
using StepAudio.Engine.Link.Tools;
using StepAudio.Engine.Tools;

namespace StepAudio.Engine.Tests.Tools.Fakes;

/// <summary>A tool whose behaviour the test supplies; it records the arguments of each call.</summary>
internal sealed class ScriptedTool(string name, Func<JsonElement, CancellationToken, Task<ToolResult>> behaviour) : ITool
{
    public ToolDefinition Definition { get; } = new(name, $"Test tool {name}.", """{"type": "object", "properties": {}}""");

    public List<string> Calls { get; } = [];

    public Task<ToolResult> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add(arguments.GetRawText());
        }

        return behaviour(arguments, cancellationToken);
    }
}
