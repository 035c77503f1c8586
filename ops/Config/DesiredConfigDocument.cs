using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace StepAudio.Ops.Config;

/// <summary>
/// A parsed <c>config/desired</c> document <c>{"version": n, "settings": {...}}</c>: the version (a positive integer),
/// the settings object as raw JSON (what gets persisted) and flattened to configuration keys.
/// </summary>
public sealed class DesiredConfigDocument
{
    /// <summary>Deepest nesting accepted, counting the document's own object.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most settings (leaf keys) one document may carry.</summary>
    public const int MaxSettings = 4096;

    private DesiredConfigDocument(long version, string settingsJson, IReadOnlyDictionary<string, string?> settings)
    {
        Version = version;
        SettingsJson = settingsJson;
        Settings = settings;
    }

    public long Version { get; }

    /// <summary>The settings object exactly as received, re-serialised compactly.</summary>
    public string SettingsJson { get; }

    /// <summary>Case-insensitive configuration keys ("Audio:Volume", "Wake:Models:0") to values.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>Parses a document; on failure <paramref name="rejection"/> says what and where (never throws on bad input).</summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> utf8,
        [NotNullWhen(true)] out DesiredConfigDocument? document,
        [NotNullWhen(false)] out DesiredConfigRejection? rejection)
    {
        document = null;

        // JsonDocument checks UTF-8 inside strings only when they are read, so check the whole text first.
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            rejection = new DesiredConfigRejection(null, DesiredConfigRejectionCodes.InvalidJson, "Document is not valid UTF-8 text.", null);
            return false;
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            rejection = new DesiredConfigRejection(null, DesiredConfigRejectionCodes.InvalidJson, $"Document is not valid JSON: {ex.Message}", null);
            return false;
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                rejection = Invalid(null, $"Document must be a JSON object, not {root.ValueKind}.", null);
                return false;
            }

            if (!root.TryGetProperty("version", out var versionElement))
            {
                rejection = Invalid(null, "Document has no \"version\".", "version");
                return false;
            }

            if (versionElement.ValueKind != JsonValueKind.Number || !versionElement.TryGetInt64(out var version) || version < 1)
            {
                rejection = Invalid(null, $"\"version\" must be a positive integer, got {Describe(versionElement)}.", "version");
                return false;
            }

            if (!root.TryGetProperty("settings", out var settingsElement) || settingsElement.ValueKind != JsonValueKind.Object)
            {
                rejection = Invalid(version, "\"settings\" must be a JSON object.", "settings");
                return false;
            }

            var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (!TryFlatten(settingsElement, prefix: null, settings, out var failure, out var failurePath))
            {
                rejection = new DesiredConfigRejection(version, DesiredConfigRejectionCodes.InvalidDocument, failure, failurePath);
                return false;
            }

            document = new DesiredConfigDocument(version, settingsElement.GetRawText(), settings);
            rejection = null;
            return true;
        }
    }

    /// <summary>Flattens a settings object the way the JSON configuration provider would.</summary>
    internal static bool TryFlatten(
        JsonElement element,
        string? prefix,
        Dictionary<string, string?> into,
        [NotNullWhen(false)] out string? failure,
        out string? failurePath)
    {
        failurePath = prefix;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var any = false;
                foreach (var property in element.EnumerateObject())
                {
                    any = true;
                    if (property.Name.Length == 0 || property.Name.Contains(':', StringComparison.Ordinal))
                    {
                        failure = $"Setting name '{property.Name}' under '{prefix ?? "settings"}' is empty or contains ':'; nest objects instead.";
                        return false;
                    }

                    var key = prefix is null ? property.Name : prefix + ":" + property.Name;
                    if (!TryFlatten(property.Value, key, into, out failure, out failurePath))
                    {
                        return false;
                    }
                }

                return AddLeafIfEmpty(any, prefix, into, out failure, out failurePath);
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var key = (prefix is null ? string.Empty : prefix + ":") + index.ToString(CultureInfo.InvariantCulture);
                    if (!TryFlatten(item, key, into, out failure, out failurePath))
                    {
                        return false;
                    }

                    index++;
                }

                return AddLeafIfEmpty(index > 0, prefix, into, out failure, out failurePath);
            default:
                var value = element.ValueKind switch
                {
                    JsonValueKind.String => element.GetString(),
                    JsonValueKind.Null => null,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => element.GetRawText(),
                };
                return TryAdd(prefix!, value, into, out failure, out failurePath);
        }
    }

    private static bool AddLeafIfEmpty(bool hadChildren, string? prefix, Dictionary<string, string?> into, out string? failure, out string? failurePath)
    {
        // An empty object or array still names its section, as the JSON configuration provider does.
        if (hadChildren || prefix is null)
        {
            failure = null;
            failurePath = null;
            return true;
        }

        return TryAdd(prefix, null, into, out failure, out failurePath);
    }

    private static bool TryAdd(string key, string? value, Dictionary<string, string?> into, out string? failure, out string? failurePath)
    {
        failurePath = key;
        if (into.Count >= MaxSettings)
        {
            failure = $"Document carries more than {MaxSettings} settings.";
            return false;
        }

        if (!into.TryAdd(key, value))
        {
            failure = $"Setting '{key}' appears twice (names are case-insensitive).";
            return false;
        }

        failure = null;
        failurePath = null;
        return true;
    }

    private static DesiredConfigRejection Invalid(long? version, string message, string? path) =>
        new(version, DesiredConfigRejectionCodes.InvalidDocument, message, path);

    private static string Describe(JsonElement element)
    {
        var raw = element.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "...";
    }
}
