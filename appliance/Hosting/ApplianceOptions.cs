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
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.Engine.WakeWord;
using StepAudio.Appliance.Ota;
using StepAudio.Ops.Arbitration;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Ota.Rauc;

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
        public const string Fleet = "Fleet";
        public const string Arbitration = "Arbitration";
        public const string Ota = OtaServiceOptions.SectionName;
        public const string Rauc = "Ota:Rauc";
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
    /// Validates a whole configuration with the validators the service runs at start, the fleet link's, arbitration's
    /// and the update agent's included; returns every failure once (empty when the document is good). A value that is
    /// not of its setting's type is reported by path and left out, so the range and cross-field rules of every other
    /// value in the same section are still reported beside it.
    /// </summary>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var (convertible, failures) = SettingsCatalog.Appliance.SplitUnconvertible(configuration);
        var all = new List<string>(failures);
        var services = new ServiceCollection().AddApplianceOptions(convertible);
        Add<FleetLinkOptions>(services, convertible, Sections.Fleet, new FleetLinkOptionsValidator().Validate);

        // A box that is not provisioned with a device id derives one at start; a document need not carry it.
        services.PostConfigure<FleetLinkOptions>(o => o.DeviceId = string.IsNullOrWhiteSpace(o.DeviceId) ? "unprovisioned" : o.DeviceId);
        Add<HomeArbitrationOptions>(services, convertible, Sections.Arbitration, new HomeArbitrationOptionsValidator().Validate);
        Add<OtaAgentOptions>(services, convertible, Sections.Ota, new OtaAgentOptionsValidator().Validate);
        Add<OtaServiceOptions>(services, convertible, Sections.Ota, new OtaServiceOptionsValidator().Validate);
        Add<RaucCliOptions>(services, convertible, Sections.Rauc, new RaucCliOptionsValidator().Validate);
        using var provider = services.BuildServiceProvider();
        foreach (var check in provider.GetServices<OptionsCheck>())
        {
            try
            {
                check.Resolve(provider);
            }
            catch (OptionsValidationException ex)
            {
                all.AddRange(ex.Failures);
            }
            catch (InvalidOperationException ex)
            {
                // What the catalog does not know the type of (none today) still fails here rather than at start.
                all.Add($"{check.Section}: {ex.Message}");
            }
        }

        return [.. all.Distinct(StringComparer.Ordinal)];
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
