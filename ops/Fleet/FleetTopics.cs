using System.Text.RegularExpressions;

namespace StepAudio.Ops.Fleet;

/// <summary>Builds the fleet topic tree of DESIGN.md for one device: <c>stepaudio/&lt;fleet&gt;/&lt;device&gt;/...</c>.</summary>
public sealed partial class FleetTopics
{
    public const string Root = "stepaudio";

    /// <summary>Third topic level of the per-home subtrees; reserved, so no device may take it as its id.</summary>
    public const string HomesSegment = "homes";

    /// <summary>Third topic level of the operator consoles' own topics; reserved like <see cref="HomesSegment"/>.</summary>
    public const string ConsoleSegment = "_console";

    /// <summary>The single-level wildcard that stands for every device in <see cref="AnyDevice"/>.</summary>
    public const string AnyDeviceLevel = "+";

    public FleetTopics(string fleet, string deviceId)
        : this(fleet, deviceId, anyDevice: false)
    {
    }

    private FleetTopics(string fleet, string deviceId, bool anyDevice)
    {
        CheckSegment(fleet, nameof(fleet));
        if (!anyDevice)
        {
            CheckSegment(deviceId, nameof(deviceId));
            if (deviceId is HomesSegment or ConsoleSegment)
            {
                throw new ArgumentException($"Device id '{deviceId}' is reserved: stepaudio/<fleet>/{deviceId}/ holds the fleet's shared topics.", nameof(deviceId));
            }
        }

        IsFilter = anyDevice;
        Fleet = fleet;
        DeviceId = deviceId;
        Device = $"{Root}/{fleet}/{deviceId}";
        State = Device + "/state";
        Events = Device + "/events";
        ConfigDesired = Device + "/config/desired";
        ConfigReported = Device + "/config/reported";
        ConfigRejected = Device + "/config/rejected";
        CommandFilter = Device + "/cmd/+";
        OtaJob = Device + "/ota/job";
        OtaStatus = Device + "/ota/status";
    }

    /// <summary>
    /// The topics of every device of <paramref name="fleet"/> at once, each a subscription filter with <c>+</c> for the
    /// device (<c>stepaudio/&lt;fleet&gt;/+/state</c>): what a fleet operator subscribes to. Publishing to them is refused.
    /// </summary>
    public static FleetTopics AnyDevice(string fleet) => new(fleet, AnyDeviceLevel, anyDevice: true);

    /// <summary>
    /// Where an operator console sends itself a message to learn that the broker has delivered every retained
    /// message of its earlier subscriptions: <c>stepaudio/&lt;fleet&gt;/_console/&lt;console&gt;/sync</c>.
    /// </summary>
    public static string ConsoleSync(string fleet, string consoleId)
    {
        CheckSegment(fleet, nameof(fleet));
        CheckSegment(consoleId, nameof(consoleId));
        return $"{Root}/{fleet}/{ConsoleSegment}/{consoleId}/sync";
    }

    /// <summary>True for the topics of <see cref="AnyDevice"/>: filters, not topics a message can be published to.</summary>
    public bool IsFilter { get; }

    public string Fleet { get; }

    public string DeviceId { get; }

    /// <summary>The device's subtree, <c>stepaudio/&lt;fleet&gt;/&lt;device&gt;</c>.</summary>
    public string Device { get; }

    /// <summary>Retained "online"; the will sets it to "offline".</summary>
    public string State { get; }

    public string Events { get; }

    public string ConfigDesired { get; }

    public string ConfigReported { get; }

    public string ConfigRejected { get; }

    /// <summary>Subscription filter for every command: <c>.../cmd/+</c>.</summary>
    public string CommandFilter { get; }

    public string OtaJob { get; }

    public string OtaStatus { get; }

    /// <summary><c>.../telemetry/&lt;stream&gt;</c>.</summary>
    public string Telemetry(string stream)
    {
        CheckSegment(stream, nameof(stream));
        return $"{Device}/telemetry/{stream}";
    }

    /// <summary>Subscription filter for every telemetry stream: <c>.../telemetry/+</c>.</summary>
    public string TelemetryFilter => Device + "/telemetry/+";

    /// <summary>
    /// <c>.../replies/&lt;console&gt;</c>: where an operator console asks a device to answer its commands, inside the
    /// device's subtree because the broker's ACL lets a device write nowhere else.
    /// </summary>
    public string Replies(string consoleId)
    {
        CheckSegment(consoleId, nameof(consoleId));
        return $"{Device}/replies/{consoleId}";
    }

    /// <summary>The device a topic of this fleet belongs to (its third level), or null for another fleet's or a shared topic.</summary>
    public static string? DeviceOf(string topic, string fleet)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var prefix = $"{Root}/{fleet}/";
        if (!topic.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = topic.IndexOf('/', prefix.Length);
        var device = end < 0 ? topic[prefix.Length..] : topic[prefix.Length..end];
        return IsValidSegment(device) && device is not (HomesSegment or ConsoleSegment) ? device : null;
    }

    /// <summary><c>.../cmd/&lt;name&gt;</c>.</summary>
    public string Command(string name)
    {
        CheckSegment(name, nameof(name));
        return $"{Device}/cmd/{name}";
    }

    /// <summary>
    /// <c>stepaudio/&lt;fleet&gt;/homes/&lt;home&gt;/arbitration</c>: where the speakers of one home compare wake claims. The
    /// broker's ACL grants each device this topic of its own home besides its subtree.
    /// </summary>
    public string HomeArbitration(string home)
    {
        CheckSegment(home, nameof(home));
        return $"{Root}/{Fleet}/{HomesSegment}/{home}/arbitration";
    }

    /// <summary>
    /// Where a reply goes when the request named no MQTT 5 response topic: <c>.../cmd/&lt;name&gt;/reply</c>, inside the
    /// device's own subtree because the broker's ACL lets a device write nowhere else.
    /// </summary>
    public string CommandReply(string name) => Command(name) + "/reply";

    /// <summary>Extracts the command name from a topic of this device's <c>cmd/+</c> subscription.</summary>
    public bool TryParseCommand(string topic, out string name)
    {
        var prefix = Device + "/cmd/";
        if (topic.StartsWith(prefix, StringComparison.Ordinal) && topic.Length > prefix.Length && topic.IndexOf('/', prefix.Length) < 0)
        {
            name = topic[prefix.Length..];
            return true;
        }

        name = string.Empty;
        return false;
    }

    /// <summary>True when <paramref name="topic"/> names one topic to publish or subscribe to exactly: no wildcards, at most 1024 characters.</summary>
    public static bool IsExactTopic(string? topic) =>
        !string.IsNullOrEmpty(topic) && topic.Length <= 1024 && topic.IndexOfAny(['+', '#', '\0']) < 0;

    /// <summary>True when <paramref name="segment"/> can stand as one topic level (no separators or wildcards).</summary>
    public static bool IsValidSegment(string? segment) => segment is not null && SegmentRegex().IsMatch(segment);

    private static void CheckSegment(string segment, string what)
    {
        if (!IsValidSegment(segment))
        {
            throw new ArgumentException(
                $"'{segment}' is not a valid topic segment for {what}: use 1-64 of A-Z a-z 0-9 _ . - (no '/', '+', '#').", what);
        }
    }

    [GeneratedRegex(FleetLinkOptions.SegmentPattern)]
    private static partial Regex SegmentRegex();
}
