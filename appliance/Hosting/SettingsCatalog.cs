using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using StepAudio.Appliance.Audio.Alsa;
using StepAudio.Appliance.Composition;
using StepAudio.Appliance.Hardware.Buttons;
using StepAudio.Appliance.Hardware.LedRing;
using StepAudio.Appliance.Ota;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Echo;
using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.Engine.WakeWord;
using StepAudio.Ops.Arbitration;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Ota.Rauc;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// Every configuration key the service reads, derived from the options types bound to each section, with the type each
/// value must convert to. It tells a typo (<c>Endpointing:EndOfTurMs</c>, silently ignored by the binder) from a
/// setting, and a value that is not a number from one that is out of range, so both can be reported in one pass.
/// </summary>
internal sealed class SettingsCatalog
{
    /// <summary>Wildcard segment: an array index or a dictionary key.</summary>
    public const string AnySegment = "*";

    private readonly Dictionary<string, Type> _leaves = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _nodes = new(StringComparer.OrdinalIgnoreCase);
    private readonly string[] _freeFormSections;

    private SettingsCatalog(IEnumerable<(string Section, Type Options)> sections, string[] freeFormSections)
    {
        foreach (var (section, options) in sections)
        {
            AddNode(section);
            Walk(section, options, depth: 0);
        }

        _freeFormSections = freeFormSections;
    }

    /// <summary>The service's settings: every section of appsettings.json, the fleet link, arbitration and OTA.</summary>
    public static SettingsCatalog Appliance { get; } = new(
        [
            (ApplianceOptions.Sections.Models, typeof(ModelCacheOptions)),
            (ApplianceOptions.Sections.WakeWord, typeof(WakeWordOptions)),
            (ApplianceOptions.Sections.Endpointing, typeof(EndpointingOptions)),
            (ApplianceOptions.Sections.Tokenizer, typeof(TokenizerOptions)),
            (ApplianceOptions.Sections.Vocoder, typeof(VocoderOptions)),
            (ApplianceOptions.Sections.GpuServer, typeof(GpuServerOptions)),
            (ApplianceOptions.Sections.Voice, typeof(VoiceOptions)),
            (ApplianceOptions.Sections.Conversation, typeof(ConversationOptions)),
            (ApplianceOptions.Sections.OfflinePrompts, typeof(OfflinePromptOptions)),
            (ApplianceOptions.Sections.Capture, typeof(AlsaCaptureOptions)),
            (ApplianceOptions.Sections.Playback, typeof(AlsaPlaybackOptions)),
            (ApplianceOptions.Sections.Channels, typeof(ChannelSelectionOptions)),
            (ApplianceOptions.Sections.Buttons, typeof(ButtonOptions)),
            (ApplianceOptions.Sections.LedRing, typeof(LedRingOptions)),
            (ApplianceOptions.Sections.Hosting, typeof(HostingOptions)),
            (ApplianceOptions.Sections.Tools, typeof(ToolsOptions)),
            (ApplianceOptions.Sections.Echo, typeof(EchoCancellerOptions)),
            (ApplianceOptions.Sections.BargeIn, typeof(BargeInOptions)),
            (ApplianceOptions.Sections.Fleet, typeof(FleetLinkOptions)),
            (ApplianceOptions.Sections.Arbitration, typeof(HomeArbitrationOptions)),
            (ApplianceOptions.Sections.Ota, typeof(OtaAgentOptions)),
            (ApplianceOptions.Sections.Ota, typeof(OtaServiceOptions)),
            (ApplianceOptions.Sections.Rauc, typeof(RaucCliOptions)),
        ],
        // Log levels are keyed by category name, which any library may add.
        ["Logging"]);

    /// <summary>Every leaf key, with <see cref="AnySegment"/> for indices and dictionary keys, sorted.</summary>
    public IReadOnlyList<string> Keys => [.. _leaves.Keys.Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>Whether <paramref name="key"/> is a setting, a section that holds settings, or lies in a free-form section.</summary>
    public bool IsKnown(string key) => TryGetType(key, out _) || _nodes.Contains(Normalize(key)) || IsFreeForm(key);

    /// <summary>The type a leaf setting's value binds to; false for a section, a free-form key or an unknown key.</summary>
    public bool TryGetType(string key, out Type type) => _leaves.TryGetValue(Normalize(key), out type!);

    /// <summary>
    /// Each value of <paramref name="configuration"/> that cannot become its setting's type, as
    /// <c>Path: 'value' is not a valid Type</c>, and the configuration without those values, so the rules of every other
    /// value can still run (the binder stops a whole section at its first conversion failure).
    /// </summary>
    public (IConfiguration Convertible, IReadOnlyList<string> Failures) SplitUnconvertible(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var failures = new List<string>();
        var kept = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is null)
            {
                continue;
            }

            if (value.Length > 0 && TryGetType(key, out var type) && !CanConvert(value, type))
            {
                failures.Add($"{key}: '{value}' is not a valid {Describe(type)}.");
                continue;
            }

            kept[key] = value;
        }

        return (new ConfigurationBuilder().AddInMemoryCollection(kept).Build(), failures);
    }

    /// <summary>Turns <c>Voice:Rap:0</c> into the catalog's form <c>Voice:Rap:*</c> wherever a segment is an index or a key.</summary>
    private string Normalize(string key)
    {
        var segments = key.Split(':');
        var path = string.Empty;
        for (var i = 0; i < segments.Length; i++)
        {
            var next = path.Length == 0 ? segments[i] : path + ":" + segments[i];
            var wildcard = path.Length == 0 ? AnySegment : path + ":" + AnySegment;
            path = _nodes.Contains(next) || _leaves.ContainsKey(next) ? next
                : _nodes.Contains(wildcard) || _leaves.ContainsKey(wildcard) ? wildcard
                : next;
        }

        return path;
    }

    private bool IsFreeForm(string key)
    {
        foreach (var section in _freeFormSections)
        {
            if (key.Equals(section, StringComparison.OrdinalIgnoreCase)
                || (key.Length > section.Length && key[section.Length] == ':' && key.StartsWith(section, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private void Walk(string prefix, Type type, int depth)
    {
        // Options types are shallow; the bound guards against a type that refers to itself.
        if (depth > 8)
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // The binder sets public setters, and fills collections that are only gettable.
            if (property.GetIndexParameters().Length > 0 || (property.SetMethod is not { IsPublic: true } && !IsCollection(property.PropertyType, out _)))
            {
                continue;
            }

            Add(prefix + ":" + property.Name, property.PropertyType, depth);
        }
    }

    private void Add(string path, Type type, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(underlying))
        {
            _leaves[path] = underlying;
            return;
        }

        AddNode(path);
        if (IsCollection(underlying, out var element))
        {
            Add(path + ":" + AnySegment, element, depth + 1);
            return;
        }

        Walk(path, underlying, depth + 1);
    }

    private void AddNode(string path)
    {
        var segments = path.Split(':');
        for (var i = 1; i <= segments.Length; i++)
        {
            _nodes.Add(string.Join(':', segments[..i]));
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);

    private static bool IsCollection(Type type, out Type element)
    {
        if (type.IsArray)
        {
            element = type.GetElementType()!;
            return true;
        }

        if (type.IsGenericType && type != typeof(string))
        {
            var arguments = type.GetGenericArguments();
            var definition = type.GetGenericTypeDefinition();
            if (arguments.Length == 1 && typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
            {
                element = arguments[0];
                return true;
            }

            if (arguments.Length == 2 && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)))
            {
                element = arguments[1];
                return true;
            }
        }

        element = typeof(object);
        return false;
    }

    /// <summary>The conversion the configuration binder makes: enums by name or number, the rest through the type's converter.</summary>
    private static bool CanConvert(string value, Type type)
    {
        if (type == typeof(string))
        {
            return true;
        }

        if (type.IsEnum)
        {
            return Enum.TryParse(type, value, ignoreCase: true, out _);
        }

        if (type == typeof(Uri))
        {
            return Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _);
        }

        try
        {
            return TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value) is not null;
        }
#pragma warning disable CA1031 // Converters signal a bad value with whatever exception their parser throws.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "whole number",
        _ when type == typeof(float) || type == typeof(double) || type == typeof(decimal) => "number",
        _ when type == typeof(bool) => "boolean (true or false)",
        _ when type == typeof(TimeSpan) => "duration (hh:mm:ss)",
        _ when type == typeof(Uri) => "URL",
        _ when type.IsEnum => "value of " + type.Name + " (" + string.Join(", ", Enum.GetNames(type)) + ")",
        _ => type.Name.ToLower(CultureInfo.InvariantCulture),
    };
}
