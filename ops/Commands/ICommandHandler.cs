using System.Text.Json;
using System.Text.Json.Nodes;

namespace StepAudio.Ops.Commands;

/// <summary>One fleet command, <c>cmd/&lt;Name&gt;</c>. The host registers one per command it supports.</summary>
public interface ICommandHandler
{
    /// <summary>The command name, a single topic segment ("ping", "set-volume").</summary>
    string Name { get; }

    /// <summary>
    /// Runs the command. Return <see cref="CommandResult.BadPayload"/> for arguments it cannot use; an exception becomes a
    /// "handler-failed" reply. The token fires at the command timeout or at shutdown.
    /// </summary>
    Task<CommandResult> HandleAsync(CommandRequest request, CancellationToken cancellationToken);
}

/// <summary>A command as received: its name and the JSON arguments (null when the payload was empty).</summary>
public sealed class CommandRequest
{
    public CommandRequest(string name, JsonElement? arguments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Arguments = arguments;
    }

    public string Name { get; }

    /// <summary>The parsed payload, detached from any buffer; null for an empty payload.</summary>
    public JsonElement? Arguments { get; }
}

/// <summary>Error codes of command replies.</summary>
public static class CommandErrorCodes
{
    public const string UnknownCommand = "unknown-command";
    public const string BadPayload = "bad-payload";
    public const string TooLarge = "too-large";
    public const string HandlerFailed = "handler-failed";
    public const string Timeout = "timeout";
    public const string Cancelled = "cancelled";
}

/// <summary>What a handler answers: success with an optional JSON result, or an error code with a message.</summary>
public sealed class CommandResult
{
    private CommandResult(bool isSuccess, JsonNode? result, string? errorCode, string? message)
    {
        IsSuccess = isSuccess;
        Result = result;
        ErrorCode = errorCode;
        Message = message;
    }

    public bool IsSuccess { get; }

    public JsonNode? Result { get; }

    public string? ErrorCode { get; }

    public string? Message { get; }

    public static CommandResult Ok(JsonNode? result = null) => new(true, result, null, null);

    public static CommandResult Error(string code, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return new CommandResult(false, null, code, message);
    }

    public static CommandResult BadPayload(string message) => Error(CommandErrorCodes.BadPayload, message);
}
