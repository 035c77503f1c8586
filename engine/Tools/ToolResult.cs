using System.Text.Encodings.Web;
using System.Text.Json;

namespace StepAudio.Engine.Tools;

/// <summary>
/// What a tool call produced: <see cref="Content"/> goes back to the model as the tool message
/// (JSON text); <see cref="Spoken"/> is a short sentence the device says itself when the model
/// cannot be asked any more (the server went away after the call).
/// </summary>
public sealed record ToolResult(bool Succeeded, string Content, string Spoken)
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A success whose content is <paramref name="content"/> serialized as JSON.</summary>
    public static ToolResult Success<T>(T content, string spoken) =>
        new(true, JsonSerializer.Serialize(content, Json), spoken);

    /// <summary>
    /// A failure: the model reads <c>{"error": message}</c> and is expected to say honestly that it
    /// did not work; <paramref name="spoken"/> is what the device says without the model.
    /// </summary>
    public static ToolResult Failure(string message, string spoken) =>
        new(false, JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = message }, Json), spoken);
}
