using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StepAudio.Ops.Fleet;

namespace StepAudio.FleetTool;

/// <summary>Outcome of an operator action: what to print went to the writer; this says whether every device agreed.</summary>
internal enum FleetOutcome
{
    Done,
    Refused,
}

/// <summary>
/// What the <c>stepaudio-fleet</c> commands do, over one <see cref="FleetConsole"/>, printing to <see cref="Output"/>. Topics
/// and payloads are those of ops/Fleet/README.md.
/// </summary>
internal sealed class FleetOperations(FleetConsole console, TextWriter output)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public TextWriter Output { get; } = output;

    private string Fleet => console.Settings.Fleet;

    /// <summary>One device's topics, or every device's as filters for <c>all</c>.</summary>
    private FleetTopics Topics(string target) => target == "all" ? FleetTopics.AnyDevice(Fleet) : new FleetTopics(Fleet, target);

    private string? DeviceOf(FleetMessage message) => FleetTopics.DeviceOf(message.Topic, Fleet);

    /// <summary><c>devices</c>: every device with a retained state, and that state.</summary>
    public async Task<FleetOutcome> DevicesAsync(CancellationToken cancellationToken)
    {
        var states = await RetainedStatesAsync(cancellationToken);
        if (states.Count == 0)
        {
            Output.WriteLine($"no device of fleet '{Fleet}' has published a state");
        }

        foreach (var (device, state) in states)
        {
            Output.WriteLine($"{device,-32} {state}");
        }

        return FleetOutcome.Done;
    }

    /// <summary><c>config get</c>: the retained reported and desired documents, per device, as JSON.</summary>
    public async Task<JsonObject> ConfigGetAsync(string target, CancellationToken cancellationToken)
    {
        var topics = Topics(target);
        await console.SubscribeAsync([topics.ConfigReported, topics.ConfigDesired], cancellationToken);
        var result = new JsonObject();
        foreach (var message in await console.SyncAsync(cancellationToken))
        {
            if (message.Payload.Length == 0 || DeviceOf(message) is not { } name)
            {
                continue;
            }

            var entry = result[name] as JsonObject ?? new JsonObject { ["reported"] = null, ["desired"] = null };
            result[name] = entry;
            entry[message.Topic == new FleetTopics(Fleet, name).ConfigReported ? "reported" : "desired"] = ParseOrText(message.Payload);
        }

        if (target != "all" && result.Count == 0)
        {
            result[target] = new JsonObject { ["reported"] = null, ["desired"] = null };
        }

        return result;
    }

    /// <summary>
    /// <c>config set</c>: publishes <c>{version, settings}</c> (retained) to each target and waits for its reported
    /// (applied/unchanged) or rejected answer to that version; version = reported + 1 unless given.
    /// </summary>
    public async Task<FleetOutcome> ConfigSetAsync(string target, JsonNode settings, long? version, CancellationToken cancellationToken)
    {
        var devices = target == "all" ? (await RetainedStatesAsync(cancellationToken)).Keys.ToList() : [target];
        if (devices.Count == 0)
        {
            Output.WriteLine($"no device of fleet '{Fleet}' has published a state; nothing to configure");
            return FleetOutcome.Refused;
        }

        var filters = Topics(target);
        await console.SubscribeAsync([filters.ConfigReported, filters.ConfigRejected], cancellationToken);
        var reported = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var message in await console.SyncAsync(cancellationToken))
        {
            if (DeviceOf(message) is { } name && message.Topic == new FleetTopics(Fleet, name).ConfigReported && TryVersion(message.Payload, out var current))
            {
                reported[name] = current;
            }
        }

        var waiting = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var device in devices)
        {
            var next = version ?? (reported.GetValueOrDefault(device) + 1);
            var document = new JsonObject { ["version"] = next, ["settings"] = settings.DeepClone() };
            await console.PublishAsync(new FleetTopics(Fleet, device).ConfigDesired, Encoding.UTF8.GetBytes(document.ToJsonString()), retain: true, cancellationToken: cancellationToken);
            waiting[device] = next;
        }

        var refused = false;
        var deadline = DateTimeOffset.UtcNow + console.Settings.Timeout;
        while (waiting.Count > 0 && await console.ReceiveAsync(deadline, cancellationToken) is { } message)
        {
            if (DeviceOf(message) is not { } device || !waiting.TryGetValue(device, out var expected) || !TryAnswer(message, out var answerVersion, out var root))
            {
                continue;
            }

            var topics = new FleetTopics(Fleet, device);
            if (message.Topic == topics.ConfigReported && answerVersion == expected)
            {
                Output.WriteLine($"{device}: {Text(root, "status")} version {expected}");
                waiting.Remove(device);
            }
            else if (message.Topic == topics.ConfigRejected && (answerVersion is null || answerVersion == expected))
            {
                var path = Text(root, "path") is { Length: > 0 } p ? $" at {p}" : string.Empty;
                Output.WriteLine($"{device}: rejected version {expected}: {Text(root, "code")}{path}: {Text(root, "message")}");
                waiting.Remove(device);
                refused = true;
            }
        }

        foreach (var (device, expected) in waiting)
        {
            Output.WriteLine($"{device}: no answer to version {expected} within {console.Settings.Timeout.TotalSeconds:0.#} s (offline? the retained document waits for it)");
        }

        return refused || waiting.Count > 0 ? FleetOutcome.Refused : FleetOutcome.Done;
    }

    /// <summary><c>cmd</c>: publishes to <c>cmd/&lt;name&gt;</c> with a response topic in the device's subtree and waits for the reply.</summary>
    public async Task<FleetOutcome> CommandAsync(string device, string name, byte[] payload, CancellationToken cancellationToken)
    {
        var topics = new FleetTopics(Fleet, device);
        var replyTopic = topics.Replies(console.ClientId);
        var correlation = Guid.NewGuid().ToByteArray();
        await console.SubscribeAsync([replyTopic], cancellationToken);
        await console.PublishAsync(topics.Command(name), payload, retain: false, replyTopic, correlation, cancellationToken);
        var deadline = DateTimeOffset.UtcNow + console.Settings.Timeout;
        while (await console.ReceiveAsync(deadline, cancellationToken) is { } message)
        {
            if (message.Topic != replyTopic || message.CorrelationData is null || !message.CorrelationData.AsSpan().SequenceEqual(correlation))
            {
                continue;
            }

            var reply = ParseOrText(message.Payload);
            Output.WriteLine(reply is JsonObject ? reply.ToJsonString(Indented) : message.Text);
            return reply is JsonObject o && Text(o, "status") == "ok" ? FleetOutcome.Done : FleetOutcome.Refused;
        }

        Output.WriteLine($"{device}: no reply to '{name}' within {console.Settings.Timeout.TotalSeconds:0.#} s (offline, or no such device)");
        return FleetOutcome.Refused;
    }

    /// <summary><c>watch</c>: prints events and telemetry, one line each, until cancelled or <paramref name="count"/> lines.</summary>
    public async Task<FleetOutcome> WatchAsync(int? count, CancellationToken cancellationToken)
    {
        var all = FleetTopics.AnyDevice(Fleet);
        await console.SubscribeAsync([all.Events, all.TelemetryFilter], cancellationToken);
        Output.WriteLine($"watching fleet '{Fleet}' at {console.Settings.Endpoint} (Ctrl-C to stop)");
        var printed = 0;
        try
        {
            await foreach (var message in console.ReadAllAsync(cancellationToken))
            {
                Output.WriteLine(FleetWatchFormat.Line(message, DateTimeOffset.Now));
                if (count is { } limit && ++printed >= limit)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C is how watch ends.
        }

        return FleetOutcome.Done;
    }

    private async Task<SortedDictionary<string, string>> RetainedStatesAsync(CancellationToken cancellationToken)
    {
        await console.SubscribeAsync([FleetTopics.AnyDevice(Fleet).State], cancellationToken);
        var states = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in await console.SyncAsync(cancellationToken))
        {
            if (message.Payload.Length > 0 && DeviceOf(message) is { } device && message.Topic == new FleetTopics(Fleet, device).State)
            {
                states[device] = message.Text;
            }
        }

        return states;
    }

    private static bool TryVersion(byte[] payload, out long version)
    {
        var parsed = TryAnswer(new FleetMessage(string.Empty, payload, false, null), out var found, out _);
        version = found ?? 0;
        return parsed && found.HasValue;
    }

    private static bool TryAnswer(FleetMessage message, out long? version, out JsonObject root)
    {
        version = null;
        root = [];
        if (ParseOrText(message.Payload) is not JsonObject parsed)
        {
            return false;
        }

        root = parsed;
        if (parsed["version"] is JsonValue value && value.TryGetValue<long>(out var number))
        {
            version = number;
        }

        return true;
    }

    private static string? Text(JsonObject root, string name) => root[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : root[name]?.ToJsonString();

    private static JsonNode? ParseOrText(byte[] payload)
    {
        try
        {
            return JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            return JsonValue.Create(Encoding.UTF8.GetString(payload));
        }
    }
}
