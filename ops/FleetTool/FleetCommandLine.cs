using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StepAudio.Ops.Fleet;

namespace StepAudio.FleetTool;

/// <summary>
/// <c>stepaudio-fleet devices | config get|set | cmd | watch</c>: the operator's view of a fleet, straight over MQTT 5 as
/// the broker's <c>fleet</c> user (topics and payloads of ops/Fleet/README.md).
/// </summary>
internal static class FleetCommandLine
{
    /// <summary>Parses and runs <paramref name="args"/>; a command line that does not parse is bad usage (exit code 2).</summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        var parse = Create().Parse(args);
        var code = await parse.InvokeAsync(configuration ?? new InvocationConfiguration());
        return parse.Errors.Count > 0 ? FleetToolExitCodes.BadInput : code;
    }

    public static RootCommand Create()
    {
        var broker = new Option<string>("--broker") { Description = "Broker as host:port (port defaults to 1883, 8883 with TLS).", DefaultValueFactory = _ => "127.0.0.1:1883" };
        var fleetName = new Option<string>("--fleet") { Description = "Fleet name, the second topic level.", DefaultValueFactory = _ => "default" };
        var username = new Option<string?>("--username") { Description = "Broker user (the fleet operator)." };
        var password = new Option<string?>("--password") { Description = "Password of --username." };
        var ca = new Option<string?>("--ca") { Description = "PEM CA the broker's certificate must chain to; turns TLS on." };
        var cert = new Option<string?>("--cert") { Description = "PEM client certificate for a broker that requires one." };
        var key = new Option<string?>("--key") { Description = "PEM private key of --cert." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the broker and for answers.", DefaultValueFactory = _ => 10 };
        Option[] common = [broker, fleetName, username, password, ca, cert, key, timeout];

        var target = new Argument<string>("device") { Description = "A device id, or 'all'." };
        var file = new Argument<FileInfo?>("file") { Description = "get: where to write the JSON (default: print it). set: the settings JSON ({...} or {\"settings\": {...}}).", Arity = ArgumentArity.ZeroOrOne };
        var version = new Option<long?>("--version") { Description = "config set: the version to send (default: reported version + 1)." };
        var device = new Argument<string>("device") { Description = "The device id." };
        var name = new Argument<string>("name") { Description = "The command, e.g. ping." };
        var json = new Argument<string?>("json") { Description = "JSON arguments of the command.", Arity = ArgumentArity.ZeroOrOne };
        var count = new Option<int?>("--count") { Description = "watch: stop after this many lines." };

        var devices = new Command("devices", "List every device with its retained state (online/offline).");
        devices.SetAction((parse, ct) => RunAsync(parse, common, (ops, token) => ops.DevicesAsync(token), null, ct));

        var get = new Command("get", "Print (or write to a file) each device's retained config/reported and config/desired.");
        get.Arguments.Add(target);
        get.Arguments.Add(file);
        get.SetAction((parse, ct) => RunAsync(parse, common, async (ops, token) =>
        {
            var documents = await ops.ConfigGetAsync(parse.GetValue(target)!, token);
            var text = documents.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            if (parse.GetValue(file) is { } output)
            {
                await File.WriteAllTextAsync(output.FullName, text + "\n", token);
                ops.Output.WriteLine($"wrote {output.FullName}");
            }
            else
            {
                ops.Output.WriteLine(text);
            }

            return FleetOutcome.Done;
        }, CheckTarget(parse.GetValue(target)!), ct));

        var set = new Command("set", "Send a desired configuration and wait for each device to apply or reject it.");
        set.Arguments.Add(target);
        set.Arguments.Add(file);
        set.Options.Add(version);
        set.Validators.Add(r =>
        {
            if (r.GetValue(file) is null)
            {
                r.AddError("config set needs the settings file.");
            }
        });
        set.SetAction((parse, ct) =>
        {
            JsonNode settings;
            try
            {
                settings = ReadSettings(parse.GetValue(file)!);
            }
            catch (FleetConsoleException ex)
            {
                return BadInputAsync(parse, ex.Message);
            }

            return RunAsync(parse, common, (ops, token) => ops.ConfigSetAsync(parse.GetValue(target)!, settings, parse.GetValue(version), token), CheckTarget(parse.GetValue(target)!), ct);
        });

        var config = new Command("config", "A device's desired and reported configuration.");
        config.Subcommands.Add(get);
        config.Subcommands.Add(set);

        var cmd = new Command("cmd", "Run a command on a device and print its reply.");
        cmd.Arguments.Add(device);
        cmd.Arguments.Add(name);
        cmd.Arguments.Add(json);
        cmd.SetAction((parse, ct) =>
        {
            byte[] payload;
            try
            {
                payload = Payload(parse.GetValue(json));
            }
            catch (FleetConsoleException ex)
            {
                return BadInputAsync(parse, ex.Message);
            }

            var id = parse.GetValue(device)!;
            var command = parse.GetValue(name)!;
            return RunAsync(parse, common, (ops, token) => ops.CommandAsync(id, command, payload, token), CheckSegment(id, "device") ?? CheckSegment(command, "command name"), ct);
        });

        var watch = new Command("watch", "Print events and telemetry of every device as they arrive, until Ctrl-C.");
        watch.Options.Add(count);
        watch.SetAction((parse, ct) => RunAsync(parse, common, (ops, token) => ops.WatchAsync(parse.GetValue(count), token), null, ct));

        var fleet = new RootCommand("stepaudio-fleet: operate a fleet of StepAudio.Edge speakers over its MQTT broker.\n\n" + FleetToolExitCodes.Help);
        foreach (var option in common)
        {
            option.Recursive = true;
            fleet.Options.Add(option);
        }

        foreach (var sub in new[] { devices, config, cmd, watch })
        {
            fleet.Subcommands.Add(sub);
        }

        return fleet;
    }

    private static async Task<int> RunAsync(
        ParseResult parse, Option[] common, Func<FleetOperations, CancellationToken, Task<FleetOutcome>> action, string? problem, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            if (problem is not null)
            {
                throw new FleetConsoleException(problem);
            }

            var settings = FleetConsoleSettings.Create(
                Value<string>(parse, common, "--broker")!, Value<string>(parse, common, "--fleet")!, Value<string?>(parse, common, "--username"),
                Value<string?>(parse, common, "--password"), Value<string?>(parse, common, "--ca"), Value<string?>(parse, common, "--cert"),
                Value<string?>(parse, common, "--key"), TimeSpan.FromSeconds(Value<double>(parse, common, "--timeout")));
            await using var console = await FleetConsole.ConnectAsync(settings, cancellationToken);
            var outcome = await action(new FleetOperations(console, output), cancellationToken);
            return outcome == FleetOutcome.Done ? FleetToolExitCodes.Ok : FleetToolExitCodes.FleetRefused;
        }
        catch (FleetConsoleException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return FleetToolExitCodes.BadInput;
        }
        catch (FleetUnreachableException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return FleetToolExitCodes.Unreachable;
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return FleetToolExitCodes.BadInput;
        }
    }

    private static async Task<int> BadInputAsync(ParseResult parse, string message)
    {
        await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {message}");
        return FleetToolExitCodes.BadInput;
    }

    private static T? Value<T>(ParseResult parse, Option[] common, string name) => parse.GetValue((Option<T>)common.Single(o => o.Name == name));

    private static JsonNode ReadSettings(FileInfo file)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllBytes(file.FullName));
        }
        catch (JsonException ex)
        {
            throw new FleetConsoleException($"{file.FullName} is not valid JSON: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetConsoleException($"{file.FullName} cannot be read: {ex.Message}", ex);
        }

        // Either the settings themselves or a desired document around them; the version comes from the device or --version.
        var settings = node is JsonObject o && o.ContainsKey("settings") ? o["settings"] : node;
        return settings as JsonObject ?? throw new FleetConsoleException($"{file.FullName} must hold a JSON object of settings, e.g. {{\"Audio\": {{\"Volume\": 40}}}}.");
    }

    private static byte[] Payload(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FleetConsoleException($"the command arguments are not valid JSON: {ex.Message}", ex);
        }

        return Encoding.UTF8.GetBytes(json);
    }

    private static string? CheckTarget(string target) => target == "all" ? null : CheckSegment(target, "device");

    private static string? CheckSegment(string value, string what) =>
        FleetTopics.IsValidSegment(value) ? null : $"{what} '{value}' is not a valid topic segment: use 1-64 of A-Z a-z 0-9 _ . -.";
}
