namespace StepAudio.Appliance.Fleet;

/// <summary>
/// Which settings a fleet may change over <c>config/desired</c>. It is an allow-list: how the device listens, talks and
/// behaves may be tuned from afar; what it runs, whom it trusts and who it is may not, because a broker account (or a
/// forged document) would otherwise take the box over: a reboot command is executed, a keyring decides which bundles
/// install, a server address receives every request. Those are set on the box itself (site.json, credentials).
/// The list is published with every <c>config/reported</c> and documented in ops/Fleet/README.md (a test holds the two equal).
/// </summary>
internal static class FleetSettableSettings
{
    /// <summary>Why a setting that is never fleet-settable is not, by the first pattern that matches it.</summary>
    private static readonly (string Pattern, string Reason)[] Never =
    [
        ("Ota:RebootCommand", "it is a command the device runs"),
        ("Ota:Rauc:Executable", "it is a program the device runs"),
        ("Ota:Rauc:*", "it decides which update bundles the device trusts"),
        ("Ota:InstalledVersion", "it decides which versions count as a downgrade"),
        ("Ota:AllowDowngrade", "it decides which versions count as a downgrade"),
        ("Fleet:Tls:*", "it decides whom the device trusts"),
        ("Fleet:Username", "it is the device's credential"),
        ("Fleet:Password", "it is the device's credential"),
        ("Fleet:AllowPlaintext", "it decides whether credentials may cross the network in clear"),
        ("Fleet:DeviceId", "it is the device's identity"),
        ("Fleet:Fleet", "it is the device's identity"),
        ("Fleet:BrokerHost", "it decides which broker the device trusts"),
        ("Fleet:BrokerPort", "it decides which broker the device trusts"),
        ("Fleet:EmbeddedBrokerPort", "it decides where the device accepts connections"),
        ("Arbitration:Home", "it is the device's identity in its home"),
        ("GpuServer:BaseAddress", "it decides which server hears every request"),
        ("GpuServer:ApiKey", "it is the device's credential"),
        ("GpuServer:AllowPlaintextApiKey", "it decides whether credentials may cross the network in clear"),
        ("WakeWord:CustomHeadPaths:*", "it names model files the device loads and runs"),
        ("Tools:Weather:UrlTemplate", "it decides which server the device sends requests to"),
    ];

    /// <summary>The fleet-settable settings: an exact path, or a section and everything under it (<c>Section:*</c>).</summary>
    public static IReadOnlyList<string> Patterns { get; } =
    [
        "Arbitration:WindowMs",
        "Audio:Channels:*",
        "BargeIn:*",
        "Conversation:*",
        "Echo:*",
        "Endpointing:*",
        "Fleet:TelemetryInterval",
        "Fleet:TelemetryMaxMessagesPerInterval",
        "GpuServer:ChatMaxTokens",
        "GpuServer:ChatTemperature",
        "GpuServer:ChatTopP",
        "GpuServer:FirstTokenTimeout",
        "GpuServer:IdleTokenTimeout",
        "GpuServer:SystemPrompt",
        "GpuServer:TtsMaxTokens",
        "GpuServer:TtsRepetitionGuard",
        "GpuServer:TtsTemperature",
        "Hardware:LedRing:Brightness",
        "Logging:LogLevel:*",
        "OfflinePrompts:ConnectionLostText",
        "OfflinePrompts:Enabled",
        "OfflinePrompts:RenderTimeout",
        "OfflinePrompts:ServerErrorText",
        "OfflinePrompts:ServerTooSlowText",
        "OfflinePrompts:ServerUnreachableText",
        "Tools:CallTimeout",
        "Tools:Enabled",
        "Tools:MaxRounds",
        "Tools:Timers:*",
        "Tools:Volume:*",
        "Tools:Weather:DefaultLocation",
        "Tools:Weather:Timeout",
        "Voice:DefaultStyle",
        "Voice:Humming:*",
        "Voice:MusicVocoder:Profile",
        "Voice:PromptText",
        "Voice:PromptWav",
        "Voice:Rap:*",
        "Voice:SystemText",
        "WakeWord:Heads:*",
        "WakeWord:PreRollMs",
        "WakeWord:RefractoryMs",
        "WakeWord:Threshold",
        "WakeWord:VoiceGateHoldMs",
        "WakeWord:VoiceGateThreshold",
    ];

    /// <summary>Whether a fleet may set <paramref name="key"/>; when not, <paramref name="reason"/> says why.</summary>
    public static bool IsSettable(string key, out string reason)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var (pattern, why) in Never)
        {
            if (Matches(pattern, key))
            {
                reason = why;
                return false;
            }
        }

        foreach (var pattern in Patterns)
        {
            if (Matches(pattern, key))
            {
                reason = string.Empty;
                return true;
            }
        }

        reason = "it is a setting of the box itself (storage, devices, hardware, services); set it in site.json on the device";
        return false;
    }

    /// <summary><c>A:B</c> matches itself; <c>A:*</c> matches <c>A</c> (an empty section) and every key under it. Case-insensitive, as configuration is.</summary>
    internal static bool Matches(string pattern, string key)
    {
        if (pattern.EndsWith(":*", StringComparison.Ordinal))
        {
            var section = pattern[..^2];
            return key.Equals(section, StringComparison.OrdinalIgnoreCase)
                || (key.Length > section.Length && key[section.Length] == ':' && key.StartsWith(section, StringComparison.OrdinalIgnoreCase));
        }

        return key.Equals(pattern, StringComparison.OrdinalIgnoreCase);
    }
}
