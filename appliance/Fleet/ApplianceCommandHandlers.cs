using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Diagnostics;
using StepAudio.Appliance.Hardware.Buttons;
using StepAudio.Appliance.Hosting;
using StepAudio.Engine.Pipeline;
using StepAudio.Ops.Commands;

namespace StepAudio.Appliance.Fleet;

/// <summary>
/// <c>say {"text": "..."}</c>: speaks a text through the TTS path, as a reply would be. The
/// service is looked up when the command arrives: the pipeline itself sends its events through
/// the fleet link, so taking it at construction would be a cycle.
/// </summary>
internal sealed class SayCommandHandler(IServiceProvider services) : ICommandHandler
{
    public string Name => "say";

    public async Task<CommandResult> HandleAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Arguments is not { ValueKind: JsonValueKind.Object } args
            || !args.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(text.GetString()))
        {
            return CommandResult.BadPayload("say takes {\"text\": \"...\"} with a non-empty text.");
        }

        if (services.GetService(typeof(IConversationControl)) is not IConversationControl { IsRunning: true } conversation)
        {
            return CommandResult.Error(CommandErrorCodes.HandlerFailed, "The pipeline is not running yet.");
        }

        var spoken = await conversation.SayAsync(text.GetString()!, cancellationToken);
        return CommandResult.Ok(new JsonObject { ["audioSeconds"] = Math.Round(spoken, 3) });
    }
}

/// <summary><c>set-volume {"volume": 0..1}</c>: the playback gain, ramped.</summary>
internal sealed class SetVolumeCommandHandler(IAudioOutput output) : ICommandHandler
{
    public string Name => "set-volume";

    public Task<CommandResult> HandleAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Arguments is not { ValueKind: JsonValueKind.Object } args
            || !args.TryGetProperty("volume", out var volume) || !volume.TryGetDouble(out var value) || value is < 0 or > 1 || double.IsNaN(value))
        {
            return Task.FromResult(CommandResult.BadPayload("set-volume takes {\"volume\": v} with 0 <= v <= 1."));
        }

        if (output is not IAudioPlayback playback)
        {
            return Task.FromResult(CommandResult.Error(CommandErrorCodes.HandlerFailed, "This output has no volume control."));
        }

        playback.Volume = (float)value;
        return Task.FromResult(CommandResult.Ok(new JsonObject { ["volume"] = value }));
    }
}

/// <summary><c>mute {"muted": true|false}</c>: the same gate as the mute button.</summary>
internal sealed class MuteCommandHandler(MuteGate mute) : ICommandHandler
{
    public string Name => "mute";

    public Task<CommandResult> HandleAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Arguments is not { ValueKind: JsonValueKind.Object } args
            || !args.TryGetProperty("muted", out var muted) || muted.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return Task.FromResult(CommandResult.BadPayload("mute takes {\"muted\": true|false}."));
        }

        mute.SetMuted(muted.GetBoolean());
        return Task.FromResult(CommandResult.Ok(new JsonObject { ["muted"] = mute.IsMuted }));
    }
}

/// <summary>
/// <c>restart</c>: stops the service with a non-zero exit code, so systemd (Restart=on-failure)
/// starts it again; the reply goes out before the stop.
/// </summary>
internal sealed class RestartCommandHandler(IHostApplicationLifetime lifetime) : ICommandHandler
{
    /// <summary>The exit code that asks the supervisor for a restart (EX_TEMPFAIL).</summary>
    public const int RestartExitCode = 75;

    public string Name => "restart";

    public Task<CommandResult> HandleAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        Environment.ExitCode = RestartExitCode;
        _ = Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None).ContinueWith(_ => lifetime.StopApplication(), TaskScheduler.Default);
        return Task.FromResult(CommandResult.Ok(new JsonObject { ["restarting"] = true }));
    }
}

/// <summary><c>diagnose</c>: the same checks as the CLI, without the audio devices the service holds open.</summary>
internal sealed class DiagnoseCommandHandler(IConfiguration configuration) : ICommandHandler
{
    public string Name => "diagnose";

    public async Task<CommandResult> HandleAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        using var suite = DiagnosticSuite.FromConfiguration(configuration, new DiagnosticSuiteOptions { SkipAudioDevices = true });
        var report = await suite.RunAsync(cancellationToken);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            report.WriteJson(json);
        }

        return CommandResult.Ok(JsonNode.Parse(buffer.ToArray()));
    }
}
