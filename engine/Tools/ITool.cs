using System.Text.Json;
using StepAudio.Engine.Link;
using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Tools;

/// <summary>Something the chat model can call: a definition it reads and the code that runs.</summary>
public interface ITool
{
    /// <summary>The name, description and argument schema offered to the model.</summary>
    ToolDefinition Definition { get; }

    /// <summary>Runs one call. Bad arguments throw <see cref="ToolArgumentException"/>; any other failure may throw too.</summary>
    Task<ToolResult> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken);
}
