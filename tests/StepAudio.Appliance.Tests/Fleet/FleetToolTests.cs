using System.CommandLine;
using System.Text.Json;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.FleetTool;
using StepAudio.TestSupport.Broker;

namespace StepAudio.Appliance.Tests.Fleet;

/// <summary><c>stepaudio-fleet ...</c> against a real Mosquitto and a device host running in-process.</summary>
public sealed class FleetToolTests : IDisposable
{
    private readonly MosquittoBroker _broker = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-fleet-cli-{Guid.NewGuid():N}");

    public FleetToolTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        _broker.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Devices_WhenOneDeviceIsOnlineAndAnotherLeftOffline_ThenListsBothWithTheirState()
    {
        await using var device = new FleetDeviceHost(_broker.Port);
        await device.WaitOnlineAsync();
        await using (var other = await FleetObserver.ConnectAsync(_broker.Port, "device-b", MosquittoBroker.PasswordOf("device-b"), [], clientId: "device-b"))
        {
            await other.PublishAsync("stepaudio/testfleet/device-b/state", "offline", retain: true);
        }

        var (code, output, _) = await FleetAsync("devices");

        Assert.Equal(FleetToolExitCodes.Ok, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["device-a online", "device-b offline"], lines.Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
    }

    [Fact]
    public async Task ConfigSet_WhenTheDeviceAcceptsTheSettings_ThenAppliedAndConfigGetShowsTheNewVersion()
    {
        await using var device = new FleetDeviceHost(_broker.Port);
        await device.WaitOnlineAsync();
        var settings = Path.Combine(_dir, "settings.json");
        await File.WriteAllTextAsync(settings, "{\"Audio\": {\"Volume\": 55}}");

        var (code, output, error) = await FleetAsync("config", "set", "device-a", settings);
        var (getCode, _, _) = await FleetAsync("config", "get", "device-a", Path.Combine(_dir, "got.json"));

        Assert.True(code == FleetToolExitCodes.Ok, output + error);
        Assert.Contains("device-a: applied version 1", output, StringComparison.Ordinal);
        Assert.Equal("55", device.Setting("Audio:Volume"));
        Assert.Equal(FleetToolExitCodes.Ok, getCode);
        var got = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "got.json"))).RootElement.GetProperty("device-a");
        Assert.Equal(1, got.GetProperty("reported").GetProperty("version").GetInt64());
        Assert.Equal(55, got.GetProperty("desired").GetProperty("settings").GetProperty("Audio").GetProperty("Volume").GetInt32());
    }

    [Fact]
    public async Task ConfigSet_WhenTheDeviceRejectsTheSettings_ThenPrintsCodeAndPathAndExitsRefused()
    {
        await using var device = new FleetDeviceHost(_broker.Port);
        await device.WaitOnlineAsync();
        var settings = Path.Combine(_dir, "settings.json");
        await File.WriteAllTextAsync(settings, "{\"settings\": {\"Audio\": {\"Volume\": 300}}}");

        var (code, output, _) = await FleetAsync("config", "set", "device-a", settings, "--version", "7");

        Assert.Equal(FleetToolExitCodes.FleetRefused, code);
        Assert.Contains("device-a: rejected version 7", output, StringComparison.Ordinal);
        Assert.Contains("at Audio:Volume", output, StringComparison.Ordinal);
        Assert.Equal("40", device.Setting("Audio:Volume"));
    }

    [Fact]
    public async Task Cmd_WhenPing_ThenPrintsTheDevicesOkReply()
    {
        await using var device = new FleetDeviceHost(_broker.Port);
        await device.WaitOnlineAsync();

        var (code, output, error) = await FleetAsync("cmd", "device-a", "ping", "{\"echo\": \"are you there\"}");

        Assert.True(code == FleetToolExitCodes.Ok, output + error);
        var reply = JsonDocument.Parse(output).RootElement;
        Assert.Equal("ping", reply.GetProperty("command").GetString());
        Assert.Equal("ok", reply.GetProperty("status").GetString());
        Assert.Equal("are you there", reply.GetProperty("result").GetProperty("echo").GetString());
    }

    [Fact]
    public async Task Cmd_WhenTheCommandIsUnknown_ThenPrintsTheErrorReplyAndExitsRefused()
    {
        await using var device = new FleetDeviceHost(_broker.Port);
        await device.WaitOnlineAsync();

        var (code, output, _) = await FleetAsync("cmd", "device-a", "self-destruct");

        Assert.Equal(FleetToolExitCodes.FleetRefused, code);
        Assert.Equal("unknown-command", JsonDocument.Parse(output).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Watch_WhenTheDevicePublishesAnEvent_ThenPrintsOneReadableLine()
    {
        await using var device = new FleetDeviceHost(_broker.Port);
        await device.WaitOnlineAsync();
        var output = new SignallingWriter();
        var watch = Invoke(output, new StringWriter(), "watch", "--count", "1");
        await output.WaitForAsync("watching fleet", FleetObserver.DefaultTimeout);

        await device.Link.PublishEventAsync("wake", new System.Text.Json.Nodes.JsonObject { ["word"] = "hey_step" });

        Assert.Equal(FleetToolExitCodes.Ok, await watch.WaitAsync(FleetObserver.DefaultTimeout));
        var line = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} device-a event wake #1 \{""word"":""hey_step""\}", line);
    }

    [Fact]
    public async Task Devices_WhenTheBrokerIsNotThere_ThenExitsUnreachableNamingIt()
    {
        var (code, _, error) = await FleetAsync(["devices"], broker: "127.0.0.1:1");

        Assert.Equal(FleetToolExitCodes.Unreachable, code);
        Assert.Contains("mqtt://127.0.0.1:1", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--broker", "127.0.0.1:notaport", "--broker")]
    [InlineData("--fleet", "a/b", "--fleet")]
    [InlineData("--cert", "client.crt", "--cert and --key")]
    public async Task Devices_WhenAnOptionIsBad_ThenExitsBadInputNamingIt(string option, string value, string named)
    {
        var (code, _, error) = await FleetAsync("devices", option, value);

        Assert.Equal(FleetToolExitCodes.BadInput, code);
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    private Task<(int Code, string Output, string Error)> FleetAsync(params string[] arguments) => FleetAsync(arguments, broker: null);

    private async Task<(int Code, string Output, string Error)> FleetAsync(string[] arguments, string? broker)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Invoke(output, error, arguments, broker);
        return (code, output.ToString(), error.ToString());
    }

    private Task<int> Invoke(TextWriter output, TextWriter error, params string[] arguments) => Invoke(output, error, arguments, broker: null);

    private Task<int> Invoke(TextWriter output, TextWriter error, string[] arguments, string? broker)
    {
        // The test's own options win over these defaults.
        var defaults = new Dictionary<string, string>
        {
            ["--broker"] = broker ?? $"127.0.0.1:{_broker.Port}",
            ["--fleet"] = MosquittoBroker.Fleet,
            ["--username"] = MosquittoBroker.FleetUser,
            ["--password"] = MosquittoBroker.FleetPassword,
            ["--timeout"] = "10",
        };
        var common = defaults.Where(d => !arguments.Contains(d.Key)).SelectMany(d => new[] { d.Key, d.Value });
        return FleetCommandLine.InvokeAsync([.. arguments, .. common], new InvocationConfiguration { Output = output, Error = error });
    }
}
