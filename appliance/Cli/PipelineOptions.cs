using System.CommandLine;

namespace StepAudio.Appliance.Cli;

/// <summary>
/// The options that point the pipeline at a configuration, a GPU server, the operator's models and
/// a voice; shared by <c>listen</c> and <c>demo</c> and turned into configuration overrides.
/// </summary>
internal sealed class PipelineOptions
{
    private readonly Option<FileInfo?> _config = new("--config") { Description = "An extra JSON configuration file (same sections as appsettings.json)." };
    private readonly Option<string?> _server = new("--server") { Description = "GPU server base URL (vLLM, OpenAI-compatible), e.g. http://10.0.0.2:8000." };
    private readonly Option<string?> _apiKey = new("--api-key") { Description = "Bearer token for the GPU server." };
    private readonly Option<string?> _models = new("--contract-models") { Description = "Directory holding the Step-Audio models (vq02/, vq06/, vocoder/) per engine/models/CONTRACT.md." };
    private readonly Option<string?> _prompt = new("--speaker-prompt") { Description = "The voice's prompt recording (WAV)." };
    private readonly Option<string?> _promptText = new("--speaker-text") { Description = "What the prompt recording says." };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new Option[] { _config, _server, _apiKey, _models, _prompt, _promptText })
        {
            command.Options.Add(option);
        }
    }

    public FileInfo? Config(ParseResult parse) => parse.GetValue(_config);

    /// <summary>The given options as configuration keys, applied over every other source.</summary>
    public IReadOnlyDictionary<string, string?> Overrides(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Set(overrides, "GpuServer:BaseAddress", parse.GetValue(_server));
        Set(overrides, "GpuServer:ApiKey", parse.GetValue(_apiKey));
        if (parse.GetValue(_models) is { } modelDirectory)
        {
            Set(overrides, "Tokenizer:ModelDirectory", modelDirectory);
            Set(overrides, "Vocoder:ModelDirectory", modelDirectory);
        }

        Set(overrides, "Voice:PromptWav", parse.GetValue(_prompt));
        Set(overrides, "Voice:PromptText", parse.GetValue(_promptText));
        return overrides;
    }

    /// <summary>An option for stage names: repeated or comma-separated.</summary>
    public static Option<string[]> ExpectOption(string description, string[] defaults) => new("--expect")
    {
        Description = description,
        CustomParser = r => r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
        DefaultValueFactory = _ => defaults,
    };

    private static void Set(Dictionary<string, string?> overrides, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            overrides[key] = value;
        }
    }
}
