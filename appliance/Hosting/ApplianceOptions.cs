using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Audio.Alsa;
using StepAudio.Appliance.Composition;
using StepAudio.Appliance.Hardware.Buttons;
using StepAudio.Appliance.Hardware.LedRing;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Echo;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.Engine.WakeWord;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// Every area's options: bound from configuration, validated by the area's own validators with
/// the section path in each message, and checked before the service reports READY.
/// </summary>
internal static class ApplianceOptions
{
    /// <summary>Section names, as in appsettings.json.</summary>
    public static class Sections
    {
        public const string Models = "Models";
        public const string WakeWord = "WakeWord";
        public const string Endpointing = "Endpointing";
        public const string Tokenizer = "Tokenizer";
        public const string Vocoder = "Vocoder";
        public const string GpuServer = "GpuServer";
        public const string Voice = "Voice";
        public const string Conversation = ConversationOptions.SectionName;
        public const string OfflinePrompts = OfflinePromptOptions.SectionName;
        public const string Capture = "Audio:Capture";
        public const string Playback = "Audio:Playback";
        public const string Channels = "Audio:Channels";
        public const string Buttons = ButtonOptions.SectionName;
        public const string LedRing = LedRingOptions.SectionName;
        public const string Hosting = "Hosting";
        public const string Tools = "Tools";
        public const string Echo = "Echo";
        public const string BargeIn = "BargeIn";
    }

    /// <summary>Registers, binds and validates (on start) every section.</summary>
    public static IServiceCollection AddApplianceOptions(this IServiceCollection services, IConfiguration configuration)
    {
        Add<ModelCacheOptions>(services, configuration, Sections.Models);
        Add<WakeWordOptions>(services, configuration, Sections.WakeWord);
        Add<EndpointingOptions>(services, configuration, Sections.Endpointing, EndpointingOptionsValidator.ValidateAll);
        Add<TokenizerOptions>(services, configuration, Sections.Tokenizer, new TokenizerOptionsValidator().Validate);
        Add<VocoderOptions>(services, configuration, Sections.Vocoder, new VocoderOptionsValidator().Validate);
        Add<GpuServerOptions>(services, configuration, Sections.GpuServer, new GpuServerOptionsValidator().Validate);
        Add<VoiceOptions>(services, configuration, Sections.Voice);
        Add<ConversationOptions>(services, configuration, Sections.Conversation, new ConversationOptionsValidator().Validate);
        Add<OfflinePromptOptions>(services, configuration, Sections.OfflinePrompts, new OfflinePromptOptionsValidator().Validate);
        Add<AlsaCaptureOptions>(services, configuration, Sections.Capture, AlsaCaptureOptionsValidator.ValidateAll);
        Add<AlsaPlaybackOptions>(services, configuration, Sections.Playback, AlsaPlaybackOptionsValidator.ValidateAll);
        Add<ChannelSelectionOptions>(services, configuration, Sections.Channels, ChannelSelectionOptionsValidator.ValidateAll);
        Add<ButtonOptions>(services, configuration, Sections.Buttons, ButtonOptionsValidator.ValidateAll);
        Add<LedRingOptions>(services, configuration, Sections.LedRing, LedRingOptionsValidator.ValidateAll);
        Add<HostingOptions>(services, configuration, Sections.Hosting);
        Add<ToolsOptions>(services, configuration, Sections.Tools, new ToolsOptionsValidator().Validate);
        Add<EchoCancellerOptions>(services, configuration, Sections.Echo, EchoCancellerOptionsValidator.ValidateAll);
        Add<BargeInOptions>(services, configuration, Sections.BargeIn, new BargeInOptionsValidator().Validate);
        return services;
    }

    /// <summary>
    /// Validates every section of a configuration with the same validators the service uses at
    /// start; returns the failures (empty when the document is good).
    /// </summary>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        var services = new ServiceCollection().AddApplianceOptions(configuration);
        using var provider = services.BuildServiceProvider();
        var failures = new List<string>();
        foreach (var check in provider.GetServices<OptionsCheck>())
        {
            try
            {
                check.Resolve(provider);
            }
            catch (OptionsValidationException ex)
            {
                failures.AddRange(ex.Failures);
            }
            catch (InvalidOperationException ex)
            {
                // The binder could not convert a value (a word where a number belongs).
                failures.Add($"{check.Section}: {ex.Message}");
            }
        }

        return failures;
    }

    private static void Add<TOptions>(IServiceCollection services, IConfiguration configuration, string section, Func<string?, TOptions, ValidateOptionsResult>? rules = null)
        where TOptions : class
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(section, rules));
        services.AddSingleton(new OptionsCheck(section, provider => provider.GetRequiredService<IOptions<TOptions>>().Value));
    }

    /// <summary>Resolves one section (running its validators) for <see cref="Validate"/>.</summary>
    internal sealed record OptionsCheck(string Section, Func<IServiceProvider, object> Resolve);
}
