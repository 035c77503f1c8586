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
using StepAudio.Ops.Settings;

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
        public const string Fleet = FleetLinkOptions.SectionName;
        public const string Arbitration = HomeArbitrationOptions.SectionName;
        public const string Ota = OtaServiceOptions.SectionName;
        public const string Rauc = "Ota:Rauc";
    }

    /// <summary>Registers, binds and validates (on start) every section.</summary>
    public static IServiceCollection AddApplianceOptions(this IServiceCollection services)
    {
        services.AddSection<ModelCacheOptions>(Sections.Models);
        Add<WakeWordOptions, WakeWordOptionsValidator>(services, Sections.WakeWord);
        Add<EndpointingOptions, EndpointingOptionsValidator>(services, Sections.Endpointing);
        Add<TokenizerOptions, TokenizerOptionsValidator>(services, Sections.Tokenizer);
        Add<VocoderOptions, VocoderOptionsValidator>(services, Sections.Vocoder);
        Add<GpuServerOptions, GpuServerOptionsValidator>(services, Sections.GpuServer);
        Add<VoiceOptions, VoiceOptionsValidator>(services, Sections.Voice);
        Add<ConversationOptions, ConversationOptionsValidator>(services, Sections.Conversation);
        Add<OfflinePromptOptions, OfflinePromptOptionsValidator>(services, Sections.OfflinePrompts);
        Add<AlsaCaptureOptions, AlsaCaptureOptionsValidator>(services, Sections.Capture);
        Add<AlsaPlaybackOptions, AlsaPlaybackOptionsValidator>(services, Sections.Playback);
        Add<ChannelSelectionOptions, ChannelSelectionOptionsValidator>(services, Sections.Channels);
        Add<ButtonOptions, ButtonOptionsValidator>(services, Sections.Buttons);
        Add<LedRingOptions, LedRingOptionsValidator>(services, Sections.LedRing);
        Add<HostingOptions, HostingOptionsValidator>(services, Sections.Hosting);
        Add<ToolsOptions, ToolsOptionsValidator>(services, Sections.Tools);
        Add<EchoCancellerOptions, EchoCancellerOptionsValidator>(services, Sections.Echo);
        Add<BargeInOptions, BargeInOptionsValidator>(services, Sections.BargeIn);
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
        var services = new ServiceCollection().AddSingleton<IConfiguration>(convertible).AddApplianceOptions();

        // A box that is not provisioned with a device id derives one at start; a document need not carry it.
        Add<FleetLinkOptions, FleetLinkOptionsValidator>(services, Sections.Fleet)
            .PostConfigure(o => o.DeviceId = string.IsNullOrWhiteSpace(o.DeviceId) ? "unprovisioned" : o.DeviceId);
        Add<HomeArbitrationOptions, HomeArbitrationOptionsValidator>(services, Sections.Arbitration);
        Add<OtaAgentOptions, OtaAgentOptionsValidator>(services, Sections.Ota);
        Add<OtaServiceOptions, OtaServiceOptionsValidator>(services, Sections.Ota);
        Add<RaucCliOptions, RaucCliOptionsValidator>(services, Sections.Rauc);
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

    private static OptionsBuilder<TOptions> Add<TOptions, TValidator>(IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>, new()
    {
        services.AddSingleton(new OptionsCheck(section, provider => provider.GetRequiredService<IOptions<TOptions>>().Value));
        return services.AddValidatedSection<TOptions, TValidator>(section);
    }

    /// <summary>Resolves one section (running its validators) for <see cref="Validate"/>.</summary>
    internal sealed record OptionsCheck(string Section, Func<IServiceProvider, object> Resolve);
}
