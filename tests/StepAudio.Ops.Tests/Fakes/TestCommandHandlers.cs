using System.Text.Json;
using System.Text.Json.Nodes;
using StepAudio.Ops.Commands;

namespace StepAudio.Ops.Tests.Fakes;

/// <summary><c>set-volume</c> as the appliance would shape it: <c>{"level": 0..100}</c>, else a bad-payload reply.</summary>
internal sealed class FakeSetVolumeHandler : ICommandHandler
{
    public int? Level { get; private set; }

    public string Name => "set-volume";

    public Task<CommandResult> HandleAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        if (request.Arguments is not { ValueKind: JsonValueKind.Object } arguments
            || !arguments.TryGetProperty("level", out var level)
            || level.ValueKind != JsonValueKind.Number
            || !level.TryGetInt32(out var value)
            || value is < 0 or > 100)
        {
            return Task.FromResult(CommandResult.BadPayload("set-volume takes {\"level\": 0..100}."));
        }

        Level = value;
        return Task.FromResult(CommandResult.Ok(new JsonObject { ["level"] = value }));
    }
}

/// <summary>A handler that fails, to prove the caller still gets an answer.</summary>
internal sealed class ThrowingCommandHandler : ICommandHandler
{
    public string Name => "explode";

    public Task<CommandResult> HandleAsync(CommandRequest request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("boom");
}

/// <summary>A handler that never finishes on its own, to prove the timeout reply.</summary>
internal sealed class HangingCommandHandler : ICommandHandler
{
    public string Name => "hang";

    public async Task<CommandResult> HandleAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        return CommandResult.Ok();
    }
}
