using System.CommandLine;
using Microsoft.Extensions.Logging;
using StepAudio.Appliance.Composition;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tokenizer;

namespace StepAudio.Appliance.Cli;

/// <summary>
/// <c>tokenize</c>: a WAV through the dual-codebook tokenizer, exactly as a turn is tokenised, and
/// the result on stdout: the token string the chat model reads, or with <c>--ids</c> the LLM
/// vocabulary ids (65536 + interleaved id), space-separated.
/// </summary>
internal static class TokenizeCommand
{
    /// <summary>The longest input the tokenizer options allow (TokenizerOptions.MaxUtteranceSeconds).</summary>
    private const int MaxSeconds = 600;

    private sealed record Arguments(FileInfo Input, bool Ids, FileInfo? Config, IReadOnlyDictionary<string, string?> Overrides);

    public static Command Create()
    {
        var input = new Argument<FileInfo>("wav") { Description = "The audio: a WAV of any rate, format and channel count (mixed to mono, resampled to 16 kHz)." };
        var ids = new Option<bool>("--ids") { Description = "Print the LLM ids (65536 + n, space-separated) instead of the <audio_n> string." };
        var config = new Option<FileInfo?>("--config") { Description = "An extra JSON configuration file (same sections as appsettings.json)." };
        var models = new Option<string?>("--contract-models") { Description = "Directory holding the tokenizer models (vq02/, vq06/) per engine/models/CONTRACT.md." };

        var command = new Command("tokenize", "Print the Step-Audio tokens of a WAV (dual codebook, 2 vq02 + 3 vq06 per 120 ms).");
        command.Arguments.Add(input);
        command.Options.Add(ids);
        command.Options.Add(config);
        command.Options.Add(models);
        command.SetAction((parse, ct) =>
        {
            var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (parse.GetValue(models) is { Length: > 0 } modelDirectory)
            {
                overrides["Tokenizer:ModelDirectory"] = modelDirectory;
            }

            var arguments = new Arguments(parse.GetValue(input)!, parse.GetValue(ids), parse.GetValue(config), overrides);
            return RunAsync(arguments, parse.InvocationConfiguration.Output, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(Arguments arguments, TextWriter console, CancellationToken cancellationToken)
    {
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        return await CliErrors.GuardAsync(async () =>
        {
            var settings = ApplianceSettings.Load(arguments.Config?.FullName, arguments.Overrides);
            var samples = SpeechInput.ReadMono16k(arguments.Input.FullName);

            // A file is one turn however long it is: the session is sized for it (the live loop
            // keeps the configured limit).
            var seconds = (samples.Length + SpeechInput.SampleRate - 1) / SpeechInput.SampleRate;
            if (seconds > MaxSeconds)
            {
                throw new OptionsException($"{arguments.Input.FullName} is {seconds} s long; the tokenizer takes at most {MaxSeconds} s per turn.");
            }

            settings.Tokenizer.MaxUtteranceSeconds = Math.Max(settings.Tokenizer.MaxUtteranceSeconds, Math.Max(seconds, 1));
            var factory = new OnnxSessionFactory(loggers.CreateLogger<OnnxSessionFactory>());
            using var tokenizer = DualCodebookTokenizer.Load(settings.Tokenizer, factory, loggers.CreateLogger<DualCodebookTokenizer>());
            var tokens = await tokenizer.TokenizeAsync(samples, cancellationToken);
            await console.WriteLineAsync(arguments.Ids ? string.Join(' ', tokens.ToLlmIds()) : tokens.ToTokenString());
            return ExitCodes.Ok;
        });
    }
}
