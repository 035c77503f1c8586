using System.Text.Json;
using System.Text.Json.Nodes;

namespace StepAudio.Ops.Commands;

/// <summary>
/// <c>cmd/ping</c>: proves the device is reachable end to end. Arguments: none, or <c>{"echo": "text"}</c>, which comes
/// back in the result with the device's clock.
/// </summary>
public sealed class PingCommandHandler : ICommandHandler
{
    private readonly TimeProvider _time;

    public PingCommandHandler(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public string Name => "ping";

    public Task<CommandResult> HandleAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? echo = null;
        if (request.Arguments is { } arguments)
        {
            if (arguments.ValueKind != JsonValueKind.Object)
            {
                return Task.FromResult(CommandResult.BadPayload($"ping takes a JSON object or nothing, not {arguments.ValueKind}."));
            }

            foreach (var property in arguments.EnumerateObject())
            {
                if (property.Name != "echo")
                {
                    return Task.FromResult(CommandResult.BadPayload($"ping has no argument '{property.Name}'; only 'echo'."));
                }

                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    return Task.FromResult(CommandResult.BadPayload($"ping's 'echo' must be a string, not {property.Value.ValueKind}."));
                }

                echo = property.Value.GetString();
            }
        }

        var result = new JsonObject
        {
            ["pong"] = true,
            ["time"] = _time.GetUtcNow(),
        };
        if (echo is not null)
        {
            result["echo"] = echo;
        }

        return Task.FromResult(CommandResult.Ok(result));
    }
}
