using Microsoft.Extensions.Configuration;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Link;
using StepAudio.Engine.Models;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.Engine.WakeWord;

namespace StepAudio.Appliance.Composition;

/// <summary>Where the pinned public models are cached.</summary>
public sealed class ModelCacheOptions
{
    /// <summary>The cache directory; empty means the default (see <see cref="ModelStore.DefaultCacheDirectory"/>).</summary>
    public string CacheDirectory { get; set; } = string.Empty;
}

/// <summary>
/// Every area's options, bound from appsettings.json, an optional extra file, the environment
/// (<c>STEPAUDIO__Section__Key</c>) and command-line overrides, in that order.
/// </summary>
public sealed class ApplianceSettings
{
    public ModelCacheOptions Models { get; init; } = new();

    public WakeWordOptions WakeWord { get; init; } = new();

    public EndpointingOptions Endpointing { get; init; } = new();

    public TokenizerOptions Tokenizer { get; init; } = new();

    public VocoderOptions Vocoder { get; init; } = new();

    public GpuServerOptions GpuServer { get; init; } = new();

    public VoiceOptions Voice { get; init; } = new();

    public ConversationOptions Conversation { get; init; } = new();

    public OfflinePromptOptions OfflinePrompts { get; init; } = new();

    /// <summary>How the microphone array's channels become the one the pipeline hears.</summary>
    public ChannelSelectionOptions Channels { get; init; } = new();

    /// <summary>Builds the configuration stack, validates it and binds it.</summary>
    /// <exception cref="OptionsException">A file is missing or not JSON, or a value is invalid (the message names each option path).</exception>
    public static ApplianceSettings Load(string? extraFile, IReadOnlyDictionary<string, string?> overrides)
    {
        var configuration = BuildConfiguration(extraFile, overrides);

        // The same validators the service runs at start, with the option path in every message.
        var failures = Hosting.ApplianceOptions.Validate(configuration);
        if (failures.Count > 0)
        {
            throw new OptionsException("Invalid configuration:\n  " + string.Join("\n  ", failures));
        }

        return Bind(configuration);
    }

    /// <summary>
    /// The pipeline's sections of <paramref name="configuration"/>, bound as the host binds them (the command line
    /// and the service read one configuration the same way); validation is the caller's.
    /// </summary>
    public static ApplianceSettings Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new ApplianceSettings();
        configuration.GetSection("Models").Bind(settings.Models);
        configuration.GetSection("WakeWord").Bind(settings.WakeWord);
        configuration.GetSection("Endpointing").Bind(settings.Endpointing);
        configuration.GetSection("Tokenizer").Bind(settings.Tokenizer);
        configuration.GetSection("Vocoder").Bind(settings.Vocoder);
        configuration.GetSection("GpuServer").Bind(settings.GpuServer);
        configuration.GetSection("Voice").Bind(settings.Voice);
        configuration.GetSection(ConversationOptions.SectionName).Bind(settings.Conversation);
        configuration.GetSection(OfflinePromptOptions.SectionName).Bind(settings.OfflinePrompts);
        configuration.GetSection("Audio:Channels").Bind(settings.Channels);
        return settings;
    }

    /// <summary>
    /// The configuration stack without validation: the default locations, appsettings.json beside the program, then
    /// <paramref name="extraFile"/>, the <c>STEPAUDIO__</c> environment and <paramref name="overrides"/>.
    /// </summary>
    /// <exception cref="OptionsException">The extra file is missing or a file is not valid JSON.</exception>
    public static IConfiguration BuildConfiguration(string? extraFile, IReadOnlyDictionary<string, string?> overrides)
    {
        var builder = BuildDefaults();
        if (extraFile is not null)
        {
            if (Directory.Exists(extraFile))
            {
                throw new OptionsException($"Configuration file {extraFile} is a directory.");
            }

            if (!File.Exists(extraFile))
            {
                throw new OptionsException($"Configuration file {extraFile} does not exist.");
            }

            builder.AddJsonFile(Path.GetFullPath(extraFile), optional: false);
        }

        builder.AddEnvironmentVariables("STEPAUDIO__").AddInMemoryCollection(overrides);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new OptionsException($"Configuration is not valid JSON: {ex.InnerException?.Message ?? ex.Message}");
        }
    }

    /// <summary>What every document is laid over: the default model and voice locations, then appsettings.json beside the program.</summary>
    public static IConfigurationBuilder BuildDefaults() => new ConfigurationBuilder()
        .AddInMemoryCollection(DefaultLocations.Settings())
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true);
}

/// <summary>A configuration value is missing or invalid; the message names the option path.</summary>
public sealed class OptionsException : Exception
{
    public OptionsException()
    {
    }

    public OptionsException(string message)
        : base(message)
    {
    }

    public OptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
