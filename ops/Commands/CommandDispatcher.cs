using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Ops.Fleet;

namespace StepAudio.Ops.Commands;

/// <summary>
/// Routes <c>cmd/&lt;name&gt;</c> to its <see cref="ICommandHandler"/> and always produces a reply: unknown commands,
/// unreadable payloads, handler exceptions and timeouts each get an error reply, never silence.
/// </summary>
public sealed partial class CommandDispatcher
{
    /// <summary>Version of the reply document layout.</summary>
    public const int SchemaVersion = 1;

    private readonly Dictionary<string, ICommandHandler> _handlers = new(StringComparer.Ordinal);
    private readonly TimeSpan _timeout;
    private readonly int _maxPayloadBytes;
    private readonly ILogger _logger;

    public CommandDispatcher(IEnumerable<ICommandHandler> handlers, TimeSpan timeout, int maxPayloadBytes, ILogger<CommandDispatcher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadBytes, 16);
        foreach (var handler in handlers)
        {
            if (!FleetTopics.IsValidSegment(handler.Name))
            {
                throw new ArgumentException($"Command handler {handler.GetType().Name} has name '{handler.Name}', which is not a valid topic segment.", nameof(handlers));
            }

            if (!_handlers.TryAdd(handler.Name, handler))
            {
                throw new ArgumentException(
                    $"Two command handlers are named '{handler.Name}': {_handlers[handler.Name].GetType().Name} and {handler.GetType().Name}.", nameof(handlers));
            }
        }

        _timeout = timeout;
        _maxPayloadBytes = maxPayloadBytes;
        _logger = logger ?? NullLogger<CommandDispatcher>.Instance;
    }

    public IReadOnlyCollection<string> Names => _handlers.Keys;

    /// <summary>Runs command <paramref name="name"/> and returns the reply document (UTF-8 JSON). Never throws on bad input.</summary>
    public async Task<byte[]> DispatchAsync(string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var result = await RunAsync(name, payload, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            Log.CommandFailed(_logger, name, result.ErrorCode!, result.Message!);
        }

        return WriteReply(name, result);
    }

    private async Task<CommandResult> RunAsync(string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!_handlers.TryGetValue(name, out var handler))
        {
            return CommandResult.Error(CommandErrorCodes.UnknownCommand, $"No command '{name}'; known: {string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal))}.");
        }

        if (payload.Length > _maxPayloadBytes)
        {
            return CommandResult.Error(CommandErrorCodes.TooLarge, $"Payload is {payload.Length} bytes; the limit is {_maxPayloadBytes}.");
        }

        JsonElement? arguments = null;
        if (!System.Text.Unicode.Utf8.IsValid(payload.Span))
        {
            return CommandResult.BadPayload($"Payload of '{name}' is not valid UTF-8 text.");
        }

        if (!payload.IsEmpty)
        {
            try
            {
                using var document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 32 });
                arguments = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                return CommandResult.BadPayload($"Payload of '{name}' is not valid JSON: {ex.Message}");
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            return await handler.HandleAsync(new CommandRequest(name, arguments), timeout.Token).ConfigureAwait(false) ?? CommandResult.Error(
                CommandErrorCodes.HandlerFailed, $"Handler of '{name}' returned no result.");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return CommandResult.Error(CommandErrorCodes.Timeout, $"'{name}' did not finish within {_timeout.TotalSeconds:0.###} s.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return CommandResult.Error(CommandErrorCodes.Cancelled, $"'{name}' was cancelled: the link is shutting down.");
        }
#pragma warning disable CA1031 // Any handler failure becomes an error reply; the caller must never be left without one.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerThrew(_logger, name, ex);
            return CommandResult.Error(CommandErrorCodes.HandlerFailed, $"'{name}' failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    internal static byte[] WriteReply(string name, CommandResult result)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schema", SchemaVersion);
            writer.WriteString("command", name);
            if (result.IsSuccess)
            {
                writer.WriteString("status", "ok");
                writer.WritePropertyName("result");
                if (result.Result is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    result.Result.WriteTo(writer);
                }
            }
            else
            {
                writer.WriteString("status", "error");
                writer.WriteString("code", result.ErrorCode);
                writer.WriteString("message", result.Message);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2400, Level = LogLevel.Warning, Message = "Command {Name} answered with error {Code}: {Reason}")]
        public static partial void CommandFailed(ILogger logger, string name, string code, string reason);

        [LoggerMessage(EventId = 2401, Level = LogLevel.Error, Message = "Command handler of {Name} threw")]
        public static partial void HandlerThrew(ILogger logger, string name, Exception exception);
    }
}
